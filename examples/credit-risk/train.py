#!/usr/bin/env python3
"""The example's PyTorch trainer: a small MLP on the features modelship.yml declares, exported to
ONNX. Copy it for a GPU runner: it trains on CUDA when PyTorch sees a GPU, on the CPU otherwise.

Environment (set by `modelship train` and the train action; defaults for running it by hand):
  MODELSHIP_CONFIG      modelship.yml
  MODELSHIP_MODEL_PATH  model.path of the config, relative to the config's directory
  MODELSHIP_OUTPUT_DIR  the model's directory (metrics.json is written there)

Needs PyTorch and PyYAML only (Debian: apt-get install python3-torch python3-yaml).

The ONNX model follows Modelship's input contract: one float32 input [N, F] built
from model.features (numeric columns as they are, one_hot categories in the listed order, map
values), and one output [N, 2] whose column 1 is P(model.positive). Standardisation is part of
the model, so it takes the raw features, as `modelship evaluate` and `modelship serve` send them.
"""
import csv
import json
import math
import os
import re
import sys
import time

# cuBLAS needs this to be deterministic; it must be set before CUDA starts.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

import torch  # noqa: E402
import yaml  # noqa: E402

SEED = 0
HIDDEN = 16
EPOCHS = 200
LEARNING_RATE = 0.01
WEIGHT_DECAY = 0.05  # strong L2: 700 rows overfit a small MLP quickly


# ---- modelship.yml ------------------------------------------------------------------------------


class ConfigLoader(yaml.SafeLoader):
    """YAML as Modelship reads it (1.2): yes, no, on and off are strings, not booleans."""


ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_config(path):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.load(f, Loader=ConfigLoader)
    except FileNotFoundError:
        raise SystemExit(
            f"{path}: modelship.yml not found; set MODELSHIP_CONFIG or run in its directory."
        )


def js_string(value):
    """A value's string form as Modelship compares categories (JavaScript's String())."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


# ---- features: what buildFeatureMatrix (src/core/model/featureMatrix.ts) does -------------------


def category_key(text):
    """How a CSV cell meets one_hot and map: numeric text as its number (1.0 reads as 1)."""
    try:
        number = float(text)
    except ValueError:
        return text
    return js_string(number) if math.isfinite(number) else text


def encode_row(row, features, where):
    """One CSV row (a dict of text) → the model's input row; SystemExit names row and column."""
    values = []
    for feature in features:
        column = feature if isinstance(feature, str) else feature["column"]
        text = row.get(column) or ""
        if text.strip() == "" or text.strip().lower() == "nan":
            raise SystemExit(f"{where}: {column} is missing; fill it in the data.")
        if isinstance(feature, str):
            try:
                values.append(float(text))  # float() ignores surrounding spaces, as Number() does
            except ValueError:
                raise SystemExit(
                    f"{where}: {column} {json.dumps(text)} is not a number; fix the value, "
                    "or encode the column with one_hot or map in modelship.yml."
                )
        elif "one_hot" in feature:
            categories = [js_string(c) for c in feature["one_hot"]]
            key = text if text in categories else category_key(text)
            if key not in categories:
                raise SystemExit(
                    f"{where}: {column} {json.dumps(text)} is not one of the {len(categories)} "
                    f"one_hot categories in modelship.yml ({', '.join(categories)}); "
                    "add it to the list."
                )
            values += [1.0 if key == c else 0.0 for c in categories]
        else:
            mapping = feature["map"]
            key = text if text in mapping else category_key(text)
            if key not in mapping:
                raise SystemExit(
                    f"{where}: {column} {json.dumps(text)} is not a key of its map in "
                    f"modelship.yml ({', '.join(mapping)}); add it to the map."
                )
            values.append(float(mapping[key]))
    return values


def load_training_data(path, model_config):
    """The feature matrix and the 0/1 labels (1 = model.positive) of a CSV file."""
    features = model_config["features"]
    target = model_config["target"]
    positive = js_string(model_config["positive"])
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        needed = [f if isinstance(f, str) else f["column"] for f in features] + [target]
        missing = [c for c in dict.fromkeys(needed) if c not in header]
        if missing:
            raise SystemExit(
                f"{path}: columns {', '.join(missing)} named in modelship.yml are missing; "
                f"the file has {', '.join(header)}."
            )
        x, y = [], []
        for number, row in enumerate(reader, start=1):
            where = f"{path} row {number}"
            label = (row.get(target) or "").strip()
            if label == "":
                raise SystemExit(
                    f"{where}: the target {target} is empty; every training row needs a label."
                )
            x.append(encode_row(row, features, where))
            y.append(1.0 if label == positive else 0.0)
    if not x:
        raise SystemExit(f"{path}: has no data rows.")
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


# ---- the model ----------------------------------------------------------------------------------


class CreditRiskModel(torch.nn.Module):
    """Raw features → standardised → MLP → softmax: [N, F] float32 in, [N, 2] probabilities."""

    def __init__(self, mean, std, hidden=HIDDEN):
        super().__init__()
        # Buffers travel with the model into the ONNX file; a constant input (std 0) keeps 1.
        self.register_buffer("mean", mean)
        self.register_buffer("std", torch.where(std > 0, std, torch.ones_like(std)))
        self.net = torch.nn.Sequential(
            torch.nn.Linear(mean.numel(), hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(hidden, 2),
        )

    def logits(self, x):
        return self.net((x - self.mean) / self.std)

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


def train(x, y, device):
    torch.manual_seed(SEED)
    model = CreditRiskModel(x.mean(dim=0), x.std(dim=0)).to(device)
    x, labels = x.to(device), y.long().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    model.train()
    for _ in range(EPOCHS):  # full batch: 700 rows fit at once
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model.logits(x), labels)
        loss.backward()
        optimizer.step()
    return model.eval().cpu()


# ---- metrics (sklearn's definitions, no sklearn) -------------------------------------------------


def roc_auc(y, p):
    """The Mann–Whitney U statistic from average ranks (ties share a rank); None for one class."""
    order = sorted(range(len(p)), key=lambda i: p[i])
    ranks = [0.0] * len(p)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and p[order[j + 1]] == p[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(1 for v in y if v == 1)
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return None
    rank_sum = sum(r for r, v in zip(ranks, y) if v == 1)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def binary_metrics(y, p, threshold):
    eps = sys.float_info.epsilon
    correct = sum(1 for v, q in zip(y, p) if (q >= threshold) == (v == 1))
    # Clipped to [eps, 1 - eps] as sklearn does, so a confident mistake costs ~36, not infinity.
    losses = [-math.log(min(max(q if v == 1 else 1 - q, eps), 1 - eps)) for v, q in zip(y, p)]
    log_loss = sum(losses) / len(y)
    return {"accuracy": correct / len(y), "roc_auc": roc_auc(y, p), "log_loss": log_loss}


# ---- main ---------------------------------------------------------------------------------------


def main():
    config_path = os.path.abspath(os.environ.get("MODELSHIP_CONFIG", "modelship.yml"))
    config = load_config(config_path)
    base = os.path.dirname(config_path)
    model_config = config["model"]
    model_path = os.path.abspath(
        os.environ.get("MODELSHIP_MODEL_PATH") or os.path.join(base, model_config["path"])
    )
    output_dir = os.path.abspath(
        os.environ.get("MODELSHIP_OUTPUT_DIR") or os.path.dirname(model_path)
    )

    x, y = load_training_data(os.path.join(base, config["data"]["train"]), model_config)
    rows, width = x.shape

    device = "cuda" if torch.cuda.is_available() else "cpu"
    device_name = torch.cuda.get_device_name(0) if device == "cuda" else "CPU"
    print(f"torch {torch.__version__}: training on {device} ({device_name})")
    if device == "cuda":
        torch.use_deterministic_algorithms(True)

    started = time.perf_counter()
    model = train(x, y, device)
    seconds = time.perf_counter() - started

    os.makedirs(os.path.dirname(model_path), exist_ok=True)
    torch.onnx.export(
        model,
        torch.zeros(1, width),
        model_path,
        opset_version=17,
        input_names=["input"],
        output_names=["probabilities"],
        dynamic_axes={"input": {0: "N"}, "probabilities": {0: "N"}},
    )

    with torch.no_grad():
        p = model(x)[:, 1].double().tolist()
    metrics = binary_metrics(y.tolist(), p, float(model_config.get("threshold", 0.5)))
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, "metrics.json"), "w", encoding="utf-8") as f:
        summary = {
            "split": "train",
            "rows": rows,
            "device": device,
            "torch": torch.__version__,
            "metrics": metrics,
        }
        json.dump(summary, f, indent=2)
        f.write("\n")
    auc = "n/a" if metrics["roc_auc"] is None else f"{metrics['roc_auc']:.4f}"
    print(
        f"trained MLP ({width}→{HIDDEN}→2) on {rows} rows × {width} features in {seconds:.1f} s: "
        f"train roc_auc {auc}, log_loss {metrics['log_loss']:.4f} → {model_path}"
    )


if __name__ == "__main__":
    main()

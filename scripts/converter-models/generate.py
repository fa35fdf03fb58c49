#!/usr/bin/python3
"""Trains small scikit-learn, XGBoost and PyTorch models on committed data slices and writes each as
the converter people use would export it: skl2onnx, onnxmltools, torch.onnx.export. The ONNX
graphs of the first two are written with onnx.helper, node for node as those converters emit them
(they are not installed here); the PyTorch one is torch.onnx.export's own output.

    /usr/bin/python3 scripts/converter-models/generate.py [--slice-from DATASETS_DIR] [--out DIR]

writes test/fixtures/converter-models/: <model>/model.onnx, <model>/modelship.yml and
expected.json (the Python models' own predictions on the holdout). Deterministic: fixed seeds,
single-threaded training. See README.md beside this file.
"""

import argparse
import hashlib
import json
import os
import re
import sys

import numpy as np
import onnx
from onnx import TensorProto

# The helper modules beside this file; no __pycache__ left in the repository.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onnxmltools_shapes as omt  # noqa: E402
import skl2onnx_shapes as skl  # noqa: E402
from datasets import Table, slice_datasets  # noqa: E402
from onnx_graph import Graph, tensor_type  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "converter-models")
DATA = os.path.join(OUT, "data")
FLOAT, INT64, STRING, DOUBLE = TensorProto.FLOAT, TensorProto.INT64, TensorProto.STRING, TensorProto.DOUBLE
TYPE_NAMES = {FLOAT: "float", INT64: "int64", STRING: "string", DOUBLE: "double"}

CREDIT_NUMERIC = [
    "duration",
    "credit_amount",
    "installment_commitment",
    "residence_since",
    "age",
    "existing_credits",
    "num_dependents",
]
CREDIT_CATEGORICAL = [
    "checking_status",
    "credit_history",
    "purpose",
    "savings_status",
    "employment",
    "personal_status",
    "other_parties",
    "property_magnitude",
    "other_payment_plans",
    "housing",
    "job",
    "own_telephone",
    "foreign_worker",
]
PENGUIN_NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
# Whole numbers in the CSV: skl2onnx's documented DataFrame schema makes them int64 inputs.
PENGUIN_INT = {"flipper_length_mm", "body_mass_g"}
PENGUIN_CLASSES = ["Adelie", "Chinstrap", "Gentoo"]
WEATHER_FEATURES = ["precipitation", "temp_min", "wind"]
FLOAT_INPUT = ("float_input", TensorProto.FLOAT, "FloatTensorType")
# The models on the seven credit numbers, labels 0 = good and 1 = bad.
CREDIT_NUMERIC_CONFIG = {
    "task": "binary-classification",
    "path": "model.onnx",
    "target": "class",
    "positive": "bad",
    "negative": "good",
    "features": CREDIT_NUMERIC,
}
CREDIT_NUMERIC_SPEC = {**CREDIT_NUMERIC_CONFIG, "holdout": "credit_holdout.csv", "labels": {"0": "good", "1": "bad"}}
# The models on the four penguin measurements, species encoded 0, 1, 2.
PENGUINS_NUMERIC_CONFIG = {
    "task": "multiclass-classification",
    "path": "model.onnx",
    "target": "species",
    "classes": PENGUIN_CLASSES,
    "features": PENGUIN_NUMERIC,
}
PENGUINS_NUMERIC_SPEC = {
    **PENGUINS_NUMERIC_CONFIG,
    "holdout": "penguins_holdout.csv",
    "labels": {str(i): c for i, c in enumerate(PENGUIN_CLASSES)},
}


LEGEND = {
    "holdout": "the CSV (relative to this file) whose rows the predictions are for, in order",
    "classes": "the model's class labels in the order of its probability columns and ZipMap keys",
    "labels": "what an integer class label stands for in the holdout's target column",
    "inputs": "each graph input: element type, shape (null = any rows) and the holdout columns filling it",
    "outputs.holds": (
        "label: python.predict; probabilities: python.predict_proba, one column per class "
        "(with zipmap, a sequence of {class: probability} maps built from that tensor); "
        "positive_probability: the positive class's column of python.predict_proba; "
        "value: python.predict of a regressor, one column"
    ),
    "python": "the trained Python model's own predict / predict_proba on the holdout, float64",
    "twin": "the same graph with (or without) the ZipMap",
}


def onnxmltools_graph_name(name):
    """onnxmltools names the graph with a random uuid4 hex; a fixed one keeps the bytes stable."""
    return hashlib.md5(name.encode()).hexdigest()


def rows(array):
    return [[float(v) for v in row] for row in np.asarray(array)]


def floats(array):
    return [float(v) for v in np.asarray(array).ravel()]


class Writer:
    """Collects the models and writes them with their config and expected values under `out`."""

    def __init__(self, out):
        self.out = out
        self.expected = {}

    def write(self, name, model, config, entry):
        directory = os.path.join(self.out, name)
        os.makedirs(directory, exist_ok=True)
        onnx.save(model, os.path.join(directory, "model.onnx"))
        lines = [f"# {entry['exported_as']}", "model:"]
        for key, value in config.items():
            lines.append(f"  {key}: {json.dumps(value)}")
        lines.append(f"data: {{ eval: {json.dumps('../data/' + entry['holdout'].split('/')[-1])} }}")
        with open(os.path.join(directory, "modelship.yml"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        graph = model.graph
        entry["model"] = f"{name}/model.onnx"
        entry["config"] = f"{name}/modelship.yml"
        entry["opset"] = {o.domain or "ai.onnx": o.version for o in model.opset_import}
        entry["ir_version"] = model.ir_version
        entry["nodes"] = [f"{n.domain + '.' if n.domain else ''}{n.op_type}" for n in graph.node]
        self.expected[name] = entry

    def finish(self):
        document = {
            "about": "Written by scripts/converter-models/generate.py; do not edit by hand.",
            "legend": LEGEND,
            "models": self.expected,
        }
        text = json.dumps(document, indent=1)
        # One line per innermost list (a row of probabilities, a list of names): short diffs.
        text = re.sub(r"\[[^\[\]{}]*\]", lambda m: re.sub(r"\s*\n\s*", " ", m.group(0)), text)
        with open(os.path.join(self.out, "expected.json"), "w", encoding="utf-8") as handle:
            handle.write(text + "\n")


def classification_python(model, X):
    """The model's own predict (labels as text or int) and predict_proba on the holdout."""
    labels = [c if isinstance(c, str) else int(c) for c in model.predict(X)]
    return {"predict": labels, "predict_proba": rows(model.predict_proba(X))}


def classifier_entry(spec, classes, inputs, outputs, python, exported_as):
    """expected.json's entry; `spec` gives task, holdout, target, positive and labels."""
    entry = {
        "exported_as": exported_as,
        "task": spec["task"],
        "holdout": f"data/{spec['holdout']}",
        "target": spec["target"],
        "classes": classes,
        "inputs": inputs,
        "outputs": outputs,
        "python": python,
    }
    if "labels" in spec:
        entry["labels"] = spec["labels"]
    positive = spec.get("positive")
    if positive is not None:
        entry["positive"] = positive
    return entry


def column_inputs(g, columns, types):
    inputs = []
    for column in columns:
        g.add_input(column, tensor_type(types[column], [None, 1]))
        inputs.append({"name": column, "type": TYPE_NAMES[types[column]], "shape": [None, 1], "columns": [column]})
    return inputs


def matrix_input(g, name, elem_type, columns):
    """One [None, F] input filled from `columns`, as FloatTensorType([None, F]) declares it."""
    g.add_input(name, tensor_type(elem_type, [None, len(columns)]))
    return [{"name": name, "type": TYPE_NAMES[elem_type], "shape": [None, len(columns)], "columns": columns}]


def classifier_outputs_spec(classes, zipmap):
    """expected.json's outputs of a classifier, as skl2onnx_shapes.classifier_outputs writes them."""
    key = "string" if skl.label_type(classes) == STRING else "int64"
    if zipmap:
        return [
            {"name": "output_label", "holds": "label", "type": key, "shape": [None]},
            {
                "name": "output_probability",
                "holds": "probabilities",
                "type": f"sequence(map({key}, float))",
                "zipmap": True,
            },
        ]
    return [
        {"name": "label", "holds": "label", "type": key, "shape": [None]},
        {"name": "probabilities", "holds": "probabilities", "type": "float", "shape": [None, len(classes)]},
    ]


def column_pipelines(writer, train, holdout, spec):
    """Pipeline(ColumnTransformer([StandardScaler on the numbers, OneHotEncoder on the text]),
    LogisticRegression) with one input per column, with ZipMap (skl2onnx's default) and without."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    columns, numeric = spec["columns"], set(spec["numeric"])
    preprocess = ColumnTransformer(
        [
            ("num", StandardScaler(), [columns.index(c) for c in columns if c in numeric]),
            (
                "cat",
                OneHotEncoder(handle_unknown="ignore"),
                [columns.index(c) for c in columns if c not in numeric],
            ),
        ]
    )
    pipeline = Pipeline([("preprocess", preprocess), ("classifier", LogisticRegression(max_iter=1000))])
    pipeline.fit(train.objects(columns, numeric), train.text(spec["target"]))
    classes = [str(c) for c in pipeline.classes_]
    python = classification_python(pipeline, holdout.objects(columns, numeric))
    ints = spec.get("int64", set())
    types = {c: (INT64 if c in ints else FLOAT) if c in numeric else STRING for c in columns}
    for zipmap in (True, False):
        g = Graph("ONNX(Pipeline)")
        inputs = column_inputs(g, columns, types)
        features = skl.column_transformer(g, pipeline.named_steps["preprocess"], columns, types)
        label, probabilities = skl.logistic_regression(g, features, pipeline.named_steps["classifier"])
        skl.classifier_outputs(g, label, probabilities, classes, zipmap)
        name = f"{spec['name']}_zipmap" if zipmap else spec["name"]
        exported_as = (
            "skl2onnx.to_onnx(Pipeline(ColumnTransformer([StandardScaler, OneHotEncoder(handle_unknown='ignore')]), "
            "LogisticRegression), one input per column"
            + (", whole-number columns int64" if ints else "")
            + (")" if zipmap else ", options={'zipmap': False})")
        )
        entry = classifier_entry(spec, classes, inputs, classifier_outputs_spec(classes, zipmap), python, exported_as)
        entry["twin"] = spec["name"] if zipmap else f"{spec['name']}_zipmap"
        config = {"name": name.replace("_", "-"), "task": spec["task"], "path": "model.onnx", "target": spec["target"]}
        if "positive" in spec:
            config["positive"] = spec["positive"]
        writer.write(name, g.model("skl2onnx"), config, entry)


CREDIT_PIPELINE = {
    "name": "credit_pipeline",
    "task": "binary-classification",
    "holdout": "credit_holdout.csv",
    "target": "class",
    "positive": "bad",
    "columns": None,  # every column but the target, in the CSV's order
    "numeric": CREDIT_NUMERIC,
}
PENGUINS_PIPELINE = {
    "name": "penguins_pipeline",
    "task": "multiclass-classification",
    "holdout": "penguins_holdout.csv",
    "target": "species",
    "columns": ["island", *PENGUIN_NUMERIC, "sex"],
    "numeric": PENGUIN_NUMERIC,
    "int64": PENGUIN_INT,
}


def credit_numeric(writer, train, holdout):
    """Pipeline(StandardScaler, LogisticRegression) on one float_input; labels 0/1 (1 = bad)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X = train.numbers(CREDIT_NUMERIC).astype(np.float32)
    y = np.array([int(v == "bad") for v in train.text("class")])
    pipeline = Pipeline([("scaler", StandardScaler()), ("classifier", LogisticRegression(max_iter=1000))])
    pipeline.fit(X, y)
    classes = [0, 1]
    python = classification_python(pipeline, holdout.numbers(CREDIT_NUMERIC).astype(np.float32))
    for zipmap in (True, False):
        g = Graph("ONNX(Pipeline)")
        inputs = matrix_input(g, "float_input", FLOAT, CREDIT_NUMERIC)
        scaled = skl.scaler(g, "float_input", pipeline.named_steps["scaler"])
        label, probabilities = skl.logistic_regression(g, scaled, pipeline.named_steps["classifier"])
        skl.classifier_outputs(g, label, probabilities, classes, zipmap)
        name = "credit_numeric_zipmap" if zipmap else "credit_numeric"
        exported_as = (
            "skl2onnx.to_onnx(Pipeline(StandardScaler, LogisticRegression), "
            "initial_types=[('float_input', FloatTensorType([None, 7]))]"
            + (")" if zipmap else ", options={'zipmap': False})")
        )
        entry = classifier_entry(
            CREDIT_NUMERIC_SPEC, classes, inputs, classifier_outputs_spec(classes, zipmap), python, exported_as
        )
        entry["twin"] = "credit_numeric" if zipmap else "credit_numeric_zipmap"
        writer.write(
            name,
            g.model("skl2onnx"),
            {"name": name.replace("_", "-"), **CREDIT_NUMERIC_CONFIG},
            entry,
        )


def xgb_pair(writer, name, model, holdout, spec):
    """An XGBClassifier twice: as onnxmltools.convert_xgboost writes it (`input`, outputs `label`
    and `probabilities`) and through skl2onnx with onnxmltools' converter registered
    (`float_input`, Cast of the label and ZipMap)."""
    classes = [int(c) for c in model.classes_]
    columns = spec["features"]
    python = classification_python(model, holdout.numbers(columns).astype(np.float32))
    objective = model.get_xgb_params()["objective"]
    for zipmap in (False, True):
        g = Graph("ONNX(XGBClassifier)" if zipmap else onnxmltools_graph_name(name))
        input_name = "float_input" if zipmap else "input"
        inputs = matrix_input(g, input_name, FLOAT, columns)
        label, probabilities = omt.xgb_classifier(g, input_name, model)
        skl.classifier_outputs(g, label, probabilities, classes, zipmap)
        initial_types = f"initial_types=[('{input_name}', FloatTensorType([None, {len(columns)}]))]"
        exported_as = (
            f"skl2onnx.to_onnx(XGBClassifier({objective})) with onnxmltools' converter registered "
            f"(update_registered_converter), {initial_types}"
            if zipmap
            else f"onnxmltools.convert_xgboost(XGBClassifier({objective}), {initial_types})"
        )
        entry = classifier_entry(spec, classes, inputs, classifier_outputs_spec(classes, zipmap), python, exported_as)
        entry["twin"] = name if zipmap else f"{name}_zipmap"
        model_name = f"{name}_zipmap" if zipmap else name
        config = {"name": model_name.replace("_", "-"), "task": spec["task"], "path": "model.onnx"}
        config.update({key: spec[key] for key in ("target", "positive", "negative", "classes") if key in spec})
        config["features"] = columns
        writer.write(model_name, g.model("skl2onnx" if zipmap else "onnxmltools"), config, entry)


def xgb_classifiers(writer, credit_train, credit_holdout, penguins_train, penguins_holdout):
    from xgboost import XGBClassifier

    params = dict(n_estimators=20, max_depth=3, learning_rate=0.3, random_state=0, n_jobs=1, tree_method="exact")
    X = credit_train.numbers(CREDIT_NUMERIC).astype(np.float32)
    y = np.array([int(v == "bad") for v in credit_train.text("class")])
    model = XGBClassifier(objective="binary:logistic", **params).fit(X, y)
    xgb_pair(writer, "credit_xgboost", model, credit_holdout, CREDIT_NUMERIC_SPEC)

    # Multiclass: species as 0, 1, 2 (XGBoost needs encoded labels).
    X = penguins_train.numbers(PENGUIN_NUMERIC).astype(np.float32)
    y = np.array([PENGUIN_CLASSES.index(v) for v in penguins_train.text("species")])
    model = XGBClassifier(objective="multi:softprob", **params).fit(X, y)
    xgb_pair(writer, "penguins_xgboost", model, penguins_holdout, PENGUINS_NUMERIC_SPEC)


def regression_entry(inputs, python, exported_as, output="variable"):
    return {
        "exported_as": exported_as,
        "task": "regression",
        "holdout": "data/weather_holdout.csv",
        "target": "temp_max",
        "inputs": inputs,
        "outputs": [{"name": output, "holds": "value", "type": "float", "shape": [None, 1]}],
        "python": {"predict": floats(python)},
    }


def regressors(writer, train, holdout):
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import LinearRegression
    from xgboost import XGBRegressor

    X = train.numbers(WEATHER_FEATURES).astype(np.float32)
    y = train.numbers(["temp_max"]).ravel()
    X_holdout = holdout.numbers(WEATHER_FEATURES).astype(np.float32)
    config = {"task": "regression", "path": "model.onnx", "target": "temp_max", "features": WEATHER_FEATURES}
    linear = LinearRegression().fit(X, y)
    forest = RandomForestRegressor(n_estimators=10, max_depth=5, random_state=0, n_jobs=1).fit(X, y)
    boosted = XGBRegressor(
        n_estimators=30, max_depth=3, learning_rate=0.3, random_state=0, n_jobs=1, tree_method="exact"
    ).fit(X, y)

    def cast_then_linear(g, feature, model):
        # CastTransformer first: skl2onnx's Pipeline(CastTransformer(), LinearRegression()) for
        # a DoubleTensorType input casts it to float32.
        skl.linear_regression(g, skl.cast_transformer(g, feature, FLOAT), model)

    def xgboost_regressor(g, feature, model):
        omt.xgb_regressor(g, feature, model, "variable")
        g.add_output("variable", tensor_type(FLOAT, [None, 1]))

    double = ("double_input", DOUBLE, "DoubleTensorType")
    for name, model, emit, (input_name, elem_type, type_name), producer, call in [
        ("weather_linear", linear, skl.linear_regression, FLOAT_INPUT, "skl2onnx", "skl2onnx.to_onnx(LinearRegression"),
        (
            "weather_double_cast",
            linear,
            cast_then_linear,
            double,
            "skl2onnx",
            "skl2onnx.to_onnx(Pipeline(CastTransformer(dtype=float32), LinearRegression)",
        ),
        (
            "weather_random_forest",
            forest,
            skl.random_forest_regressor,
            FLOAT_INPUT,
            "skl2onnx",
            "skl2onnx.to_onnx(RandomForestRegressor",
        ),
        (
            "weather_xgboost",
            boosted,
            xgboost_regressor,
            ("input", FLOAT, "FloatTensorType"),
            "onnxmltools",
            "onnxmltools.convert_xgboost(XGBRegressor",
        ),
    ]:
        # skl2onnx.to_onnx names the graph after the converted object: ONNX(Pipeline), ...
        estimator = call.split("(")[1]
        g = Graph(f"ONNX({estimator})" if producer == "skl2onnx" else onnxmltools_graph_name(name))
        inputs = matrix_input(g, input_name, elem_type, WEATHER_FEATURES)
        emit(g, input_name, model)
        exported_as = f"{call}, initial_types=[('{input_name}', {type_name}([None, 3]))])"
        writer.write(
            name,
            g.model(producer),
            {"name": name.replace("_", "-"), **config},
            regression_entry(inputs, model.predict(X_holdout), exported_as),
        )


def write_torch(writer, name, model, batch, spec, columns, python):
    """A PyTorch export of `batch` rows: one output `output`, P(positive) [batch, 1] for a binary
    model, class probabilities [batch, C] otherwise."""
    import torch_export

    classes = sorted(int(k) for k in spec["labels"])
    binary = spec["task"] == "binary-classification"
    output = {
        "name": "output",
        "holds": "positive_probability" if binary else "probabilities",
        "type": "float",
        "shape": [batch, 1 if binary else len(classes)],
    }
    entry = classifier_entry(
        spec,
        classes,
        [{"name": "input", "type": "float", "shape": [batch, len(columns)], "columns": columns}],
        [output],
        python,
        f"torch.onnx.export(module, torch.zeros({batch}, {len(columns)}), input_names=['input'], "
        "output_names=['output'], opset_version=17)",
    )
    config = {key: value for key, value in spec.items() if key not in ("holdout", "labels")}
    writer.write(name, torch_export.export(model, batch, len(columns)), {"name": name.replace("_", "-"), **config}, entry)


def torch_fixed_batch(writer, credit_train, credit_holdout, penguins_train, penguins_holdout):
    """PyTorch exports without dynamic axes: a binary logistic regression taking [1, 7] with
    output [1, 1] = P(bad), and a multiclass softmax regression taking [8, 4] with output [8, 3]
    (133 holdout rows: the last batch is partial)."""
    import torch

    import torch_export

    X = credit_train.numbers(CREDIT_NUMERIC)
    y = torch.tensor([[float(v == "bad")] for v in credit_train.text("class")])
    model = torch_export.train(X, y, 1, torch.sigmoid, torch.nn.functional.binary_cross_entropy)
    p = torch_export.predict(model, credit_holdout.numbers(CREDIT_NUMERIC)).ravel()
    python = {"predict": [int(v >= 0.5) for v in p], "predict_proba": rows(np.stack([1 - p, p], axis=1))}
    write_torch(writer, "credit_torch_fixed_batch", model, 1, CREDIT_NUMERIC_SPEC, CREDIT_NUMERIC, python)

    X = penguins_train.numbers(PENGUIN_NUMERIC)
    y = torch.tensor([PENGUIN_CLASSES.index(v) for v in penguins_train.text("species")])
    classes = len(PENGUIN_CLASSES)
    model = torch_export.train(
        X,
        y,
        classes,
        lambda scores: torch.softmax(scores, dim=1),
        lambda proba, target: torch.nn.functional.nll_loss(torch.log(proba), target),
    )
    proba = torch_export.predict(model, penguins_holdout.numbers(PENGUIN_NUMERIC))
    python = {"predict": [int(k) for k in proba.argmax(axis=1)], "predict_proba": rows(proba)}
    write_torch(writer, "penguins_torch_batch8", model, 8, PENGUINS_NUMERIC_SPEC, PENGUIN_NUMERIC, python)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slice-from", help="cut the data slices again from this directory of full datasets")
    parser.add_argument(
        "--out", default=OUT, help="write the models here instead (the data slices are still read from the fixtures)"
    )
    args = parser.parse_args()
    if args.slice_from:
        slice_datasets(args.slice_from, DATA)
    data = {
        name: (Table(os.path.join(DATA, f"{name}_train.csv")), Table(os.path.join(DATA, f"{name}_holdout.csv")))
        for name in ("credit", "penguins", "weather")
    }
    writer = Writer(args.out)
    credit_columns = [c for c in data["credit"][0].header if c != "class"]
    column_pipelines(writer, *data["credit"], {**CREDIT_PIPELINE, "columns": credit_columns})
    column_pipelines(writer, *data["penguins"], PENGUINS_PIPELINE)
    credit_numeric(writer, *data["credit"])
    xgb_classifiers(writer, *data["credit"], *data["penguins"])
    regressors(writer, *data["weather"])
    torch_fixed_batch(writer, *data["credit"], *data["penguins"])
    writer.finish()
    for name in sorted(writer.expected):
        size = os.path.getsize(os.path.join(args.out, name, "model.onnx"))
        print(f"{name}/model.onnx  {size} bytes  {' '.join(writer.expected[name]['nodes'])}")


if __name__ == "__main__":
    main()

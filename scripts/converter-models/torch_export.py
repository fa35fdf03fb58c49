"""PyTorch models as people export them without dynamic axes: torch.onnx.export fixes every
dimension to the example input's, so the graph takes exactly `batch` rows."""

import io

import numpy as np
import onnx
import torch


class StandardisedLinear(torch.nn.Module):
    """(x - mean) / std, a linear layer, then `head` (sigmoid or softmax): the scaling is part of
    the module, so the exported graph starts with Sub and Div."""

    def __init__(self, X, outputs, head):
        super().__init__()
        self.register_buffer("mean", X.mean(0))
        self.register_buffer("std", X.std(0))
        self.linear = torch.nn.Linear(X.shape[1], outputs)
        self.head = head

    def forward(self, x):
        return self.head(self.linear((x - self.mean) / self.std))


def train(X, y, outputs, head, loss):
    """Full-batch Adam, 300 steps, seed 0, one thread: the same weights every run."""
    torch.manual_seed(0)
    torch.set_num_threads(1)
    X = torch.tensor(X, dtype=torch.float32)
    model = StandardisedLinear(X, outputs, head)
    optimiser = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        optimiser.zero_grad()
        loss(model(X), y).backward()
        optimiser.step()
    return model.eval()


def predict(model, X):
    with torch.no_grad():
        return model(torch.tensor(X, dtype=torch.float32)).numpy().astype(np.float64)


def export(model, batch, features):
    """torch.onnx.export with an example of `batch` rows and no dynamic_axes, opset 17."""
    buffer = io.BytesIO()
    torch.onnx.export(
        model,
        torch.zeros(batch, features),
        buffer,
        input_names=["input"],
        output_names=["output"],
        opset_version=17,
    )
    exported = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(exported, full_check=True)
    return exported

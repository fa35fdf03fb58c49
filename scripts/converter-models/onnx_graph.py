"""Graph assembly shared by the emitters: value types and the model header as converters write them.

skl2onnx and onnxmltools both build a graph, then stamp opset_import with the highest version of
each domain that a node actually uses (never the requested target), ir_version from that main
opset, and their own producer fields. The emitters here add nodes through Graph and let
Graph.model() do the same, so the headers match what the converters produce for
target_opset={'': 17, 'ai.onnx.ml': 2}.
"""

import onnx
from onnx import TensorProto, helper, numpy_helper
import numpy as np

ML = "ai.onnx.ml"
TARGET_OPSET = {"": 17, ML: 2}
# skl2onnx's OPSET_TO_IR_VERSION (onnxconverter-common has the same table) for the opsets we reach.
OPSET_TO_IR_VERSION = {13: 7, 14: 7, 15: 8, 16: 8, 17: 8}
PRODUCERS = {
    "skl2onnx": ("skl2onnx", "1.21.0", "ai.onnx"),
    "onnxmltools": ("OnnxMLTools", "1.17.0", "onnxml"),
}


# The node attributes of TreeEnsembleClassifier / TreeEnsembleRegressor (ai.onnx.ml version 1),
# then the leaf attributes, prefixed class_ or target_.
TREE_NODE_KEYS = [
    "nodes_treeids",
    "nodes_nodeids",
    "nodes_featureids",
    "nodes_modes",
    "nodes_values",
    "nodes_truenodeids",
    "nodes_falsenodeids",
    "nodes_missing_value_tracks_true",
]
TREE_LEAF_KEYS = ["treeids", "nodeids", "ids", "weights"]


def tree_attribute_lists(prefix, hitrates=False):
    """Empty lists for every node and leaf attribute; skl2onnx adds nodes_hitrates, onnxmltools not."""
    keys = TREE_NODE_KEYS + (["nodes_hitrates"] if hitrates else [])
    return {key: [] for key in keys + [f"{prefix}_{key}" for key in TREE_LEAF_KEYS]}


def tensor_type(elem_type, shape):
    """A tensor TypeProto; None in `shape` is an unknown dimension (no value, no name)."""
    proto = onnx.TypeProto()
    proto.tensor_type.elem_type = elem_type
    if shape is not None:
        proto.tensor_type.shape.SetInParent()
        for dim in shape:
            entry = proto.tensor_type.shape.dim.add()
            if dim is not None:
                entry.dim_value = dim
    return proto


def zipmap_type(key_type):
    """ZipMap's output: sequence(map(key, tensor(float))), the value tensor without a shape."""
    proto = onnx.TypeProto()
    proto.sequence_type.elem_type.map_type.key_type = key_type
    proto.sequence_type.elem_type.map_type.value_type.CopyFrom(
        tensor_type(TensorProto.FLOAT, None)
    )
    return proto


class Graph:
    """Nodes, initializers and unique names, in the order a converter adds them."""

    def __init__(self, name):
        self.name = name
        self.nodes = []
        self.initializers = []
        self.inputs = []
        self.outputs = []
        self.used_names = set()
        self.node_names = set()

    def unique(self, base):
        """skl2onnx's Scope.get_unique_variable_name: base, base1, base2, ..."""
        name, index = base, 0
        while name in self.used_names:
            index += 1
            name = f"{base}{index}"
        self.used_names.add(name)
        return name

    def add_input(self, name, proto):
        self.used_names.add(name)
        self.inputs.append(helper.make_value_info(name, proto))

    def add_output(self, name, proto):
        self.used_names.add(name)
        self.outputs.append(helper.make_value_info(name, proto))

    def constant(self, base, array):
        name = self.unique(base)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op_type, inputs, outputs, domain="", **attrs):
        # Operator names live apart from variable names, as in skl2onnx's Scope.
        node_name, index = op_type, 0
        while node_name in self.node_names:
            index += 1
            node_name = f"{op_type}{index}"
        self.node_names.add(node_name)
        for output in outputs:
            self.used_names.add(output)
        self.nodes.append(
            helper.make_node(op_type, inputs, outputs, name=node_name, domain=domain, **attrs)
        )
        return outputs

    def model(self, producer):
        versions = {}
        for node in self.nodes:
            schema = onnx.defs.get_schema(
                node.op_type, max_inclusive_version=TARGET_OPSET[node.domain], domain=node.domain
            )
            versions[node.domain] = max(versions.get(node.domain, 0), schema.since_version)
        # The main opset is always declared, at the target when no node of it is used.
        versions.setdefault("", TARGET_OPSET[""])
        graph = helper.make_graph(
            self.nodes, self.name, self.inputs, self.outputs, initializer=self.initializers
        )
        opsets = [helper.make_opsetid(domain, version) for domain, version in versions.items()]
        model = helper.make_model(graph, opset_imports=opsets)
        name, version, domain = PRODUCERS[producer]
        model.ir_version = OPSET_TO_IR_VERSION[versions[""]]
        model.producer_name = name
        model.producer_version = version
        model.domain = domain
        model.model_version = 0
        # Not full_check: onnx 1.12 infers no types for OneHotEncoder or ZipMap outputs, so its
        # strict shape inference rejects the converters' own graphs too. onnxruntime loads them.
        onnx.checker.check_model(model)
        return model

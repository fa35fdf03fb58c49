"""scikit-learn estimators written node for node as skl2onnx 1.21 writes them.

Each function mirrors one skl2onnx converter (skl2onnx/operator_converters/*.py and _parse.py):
the same op types, domains, attributes, variable names and output types, for float32 inputs.
"""

import numpy as np
from onnx import TensorProto

from onnx_graph import ML, tensor_type, tree_attribute_lists, zipmap_type

FLOAT, INT64, STRING = TensorProto.FLOAT, TensorProto.INT64, TensorProto.STRING


def label_type(classes):
    return STRING if all(isinstance(c, str) for c in classes) else INT64


def class_label_attrs(prefix_ints, classes):
    """classlabels_strings for text labels, else classlabels_ints / classlabels_int64s."""
    if label_type(classes) == STRING:
        return {"classlabels_strings": [str(c) for c in classes]}
    return {prefix_ints: [int(c) for c in classes]}


def concat_columns(g, inputs, input_types, output_base):
    """SklearnConcat: inputs not of the first input's type are cast to it, then Concat(axis=1)."""
    first = input_types[inputs[0]]
    names = []
    for name in inputs:
        if input_types[name] == first:
            names.append(name)
        else:
            cast = g.unique(f"{name}_cast")
            g.node("Cast", [name], [cast], to=first)
            names.append(cast)
    out = g.unique(output_base)
    g.node("Concat", names, [out], axis=1)
    return out


def scaler(g, feature, standard_scaler):
    """StandardScaler -> Scaler(offset=mean, scale=1/std), float32 attributes."""
    out = g.unique("variable")
    g.node(
        "Scaler",
        [feature],
        [out],
        domain=ML,
        offset=standard_scaler.mean_.astype(np.float32).tolist(),
        scale=(1.0 / standard_scaler.scale_).astype(np.float32).tolist(),
    )
    return out


def one_hot_encoder(g, inputs, encoder):
    """OneHotEncoder over several [None, 1] string inputs: one ai.onnx.ml OneHotEncoder per input
    ([N, 1, C]), Concat on the last axis, Reshape to [-1, total]."""
    out = g.unique("variable")
    results, total = [], 0
    for name, categories in zip(inputs, encoder.categories_):
        encoded = g.unique(f"{name}out")
        g.node(
            "OneHotEncoder",
            [name],
            [encoded],
            domain=ML,
            cats_strings=[str(c) for c in categories],
            zeros=1 if encoder.handle_unknown == "ignore" else 0,
        )
        results.append(encoded)
        total += len(categories)
    concat = g.unique("concat_result")
    g.node("Concat", results, [concat], axis=-1)
    shape = g.constant("shape_tensor", np.array([-1, total], dtype=np.int64))
    g.node("Reshape", [concat, shape], [out])
    return out


def column_transformer(g, transformer, column_names, input_types):
    """ColumnTransformer on one input per column: each transformer's columns (merged with Concat
    unless the transformer is a OneHotEncoder), its converter, then Concat of the results."""
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    results = []
    for _, fitted, indices in transformer.transformers_:
        if fitted == "drop":
            continue
        inputs = [column_names[i] for i in indices]
        if isinstance(fitted, StandardScaler):
            merged = (
                concat_columns(g, inputs, input_types, "merged_columns")
                if len(inputs) > 1
                else inputs[0]
            )
            results.append(scaler(g, merged, fitted))
        elif isinstance(fitted, OneHotEncoder):
            results.append(one_hot_encoder(g, inputs, fitted))
        else:
            raise ValueError(f"no skl2onnx shape written for {type(fitted).__name__}")
    transformed = g.unique("transformed_column")
    g.node("Concat", results, [transformed], axis=1)
    return transformed


def logistic_regression(g, feature, model):
    """LogisticRegression -> LinearClassifier. Binary: coefficients [-w, w], intercepts [-b, b],
    LOGISTIC, the node writes label and probabilities itself. Multinomial: SOFTMAX, then
    Normalizer(L1) makes the probabilities sum to 1."""
    classes = list(model.classes_)
    coefficients = model.coef_.flatten().astype(float).tolist()
    intercepts = model.intercept_.astype(float).tolist()
    binary = len(classes) == 2
    if binary:
        coefficients = [-c for c in coefficients] + coefficients
        intercepts = [-b for b in intercepts] + intercepts
    attrs = dict(
        coefficients=coefficients,
        intercepts=intercepts,
        multi_class=0 if binary else 1,
        post_transform="LOGISTIC" if binary else "SOFTMAX",
        **class_label_attrs("classlabels_ints", classes),
    )
    label = g.unique("label")
    probabilities = g.unique("probabilities")
    if binary:
        g.node("LinearClassifier", [feature], [label, probabilities], domain=ML, **attrs)
    else:
        tensor = g.unique("probability_tensor")
        g.node("LinearClassifier", [feature], [label, tensor], domain=ML, **attrs)
        g.node("Normalizer", [tensor], [probabilities], domain=ML, norm="L1")
    return label, probabilities


def classifier_outputs(g, label, probabilities, classes, zipmap):
    """Without ZipMap the classifier's own `label` and `probabilities` are the outputs; with it
    (skl2onnx's default) `output_label` (Identity for text labels, Cast to int64 otherwise) and
    `output_probability`, a sequence of {class: probability} maps."""
    key = label_type(classes)
    if not zipmap:
        g.add_output(label, tensor_type(key, [None]))
        g.add_output(probabilities, tensor_type(FLOAT, [None, len(classes)]))
        return
    if key == STRING:
        g.node("Identity", [label], ["output_label"])
    else:
        g.node("Cast", [label], ["output_label"], to=INT64)
    g.node(
        "ZipMap",
        [probabilities],
        ["output_probability"],
        domain=ML,
        **class_label_attrs("classlabels_int64s", classes),
    )
    g.add_output("output_label", tensor_type(key, [None]))
    g.add_output("output_probability", zipmap_type(key))


def linear_regression(g, feature, model):
    """LinearRegression on float32 -> LinearRegressor, output `variable` [None, 1]."""
    g.node(
        "LinearRegressor",
        [feature],
        ["variable"],
        domain=ML,
        coefficients=model.coef_.astype(np.float32).ravel().tolist(),
        intercepts=np.array([model.intercept_], dtype=np.float32).ravel().tolist(),
    )
    g.add_output("variable", tensor_type(FLOAT, [None, 1]))


def cast_transformer(g, feature, to):
    """skl2onnx.sklapi.CastTransformer -> Cast into the variable `cast`."""
    out = g.unique("cast")
    g.node("Cast", [feature], [out], to=to)
    return out


def sklearn_threshold(threshold):
    """skl2onnx's tree_ensemble.sklearn_threshold for float32 inputs: scikit-learn compares the
    float32 feature with a float64 threshold, ONNX with a float32 one. Rounding the threshold up
    would send a feature equal to the rounded value left instead of right, so it is rounded down."""
    rounded = np.float32(threshold)
    if rounded <= threshold:
        return float(rounded)
    eps = max(abs(rounded), np.finfo(np.float32).eps) * 10
    return float(np.nextafter(np.array([rounded]), np.array([rounded - eps], dtype=np.float32))[0])


def random_forest_regressor(g, feature, model):
    """RandomForestRegressor -> TreeEnsembleRegressor (ai.onnx.ml version 1): every tree's nodes in
    scikit-learn's order, BRANCH_LEQ on adjusted thresholds, each leaf weighted 1/n_estimators,
    summed; output `variable` [None, 1]."""
    attrs = tree_attribute_lists("target", hitrates=True)
    weight = 1.0 / len(model.estimators_)
    for tree_id, estimator in enumerate(model.estimators_):
        tree = estimator.tree_
        for i in range(tree.node_count):
            branch = tree.children_left[i] > i or tree.children_right[i] > i
            attrs["nodes_treeids"].append(tree_id)
            attrs["nodes_nodeids"].append(i)
            attrs["nodes_featureids"].append(int(tree.feature[i]) if branch else 0)
            attrs["nodes_modes"].append("BRANCH_LEQ" if branch else "LEAF")
            attrs["nodes_values"].append(sklearn_threshold(tree.threshold[i]) if branch else 0.0)
            attrs["nodes_truenodeids"].append(int(tree.children_left[i]) if branch else 0)
            attrs["nodes_falsenodeids"].append(int(tree.children_right[i]) if branch else 0)
            attrs["nodes_missing_value_tracks_true"].append(0)
            attrs["nodes_hitrates"].append(1.0)
            if not branch:
                attrs["target_treeids"].append(tree_id)
                attrs["target_nodeids"].append(i)
                attrs["target_ids"].append(0)
                attrs["target_weights"].append(float(tree.value[i].ravel()[0] * weight))
    for key in ("nodes_values", "nodes_hitrates", "target_weights"):
        attrs[key] = np.array(attrs[key], dtype=np.float32).tolist()
    g.node(
        "TreeEnsembleRegressor",
        [feature],
        ["variable"],
        domain=ML,
        post_transform="NONE",
        n_targets=int(model.n_outputs_),
        **attrs,
    )
    g.add_output("variable", tensor_type(FLOAT, [None, 1]))

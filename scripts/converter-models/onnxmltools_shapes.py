"""XGBoost models written as onnxmltools 1.17 writes them (convert/xgboost/operator_converters/
XGBoost.py): one TreeEnsembleClassifier or TreeEnsembleRegressor built from the booster's JSON dump,
nodes renumbered in depth-first order, BRANCH_LT splits, missing values following `missing`."""

import json

import numpy as np

from onnx_graph import ML, tree_attribute_lists


def base_score(model):
    """The booster's base_score, from its saved configuration."""
    config = json.loads(model.get_booster().save_config())
    return float(config["learner"]["learner_model_param"]["base_score"])


def _remap(node, remap):
    remap.setdefault(node["nodeid"], len(remap))
    for child in node.get("children", []):
        _remap(child, remap)
    return remap


def tree_attributes(model, classifier, n_classes=1):
    """nodes_* and class_* (or target_*) attribute lists of every tree."""
    prefix = "class" if classifier else "target"
    attrs = tree_attribute_lists(prefix)
    dump = model.get_booster().get_dump(with_stats=True, dump_format="json")
    for tree_id, text in enumerate(dump):
        root = json.loads(text)
        remap = _remap(root, {})

        def visit(node):
            node_id = remap[node["nodeid"]]
            attrs["nodes_treeids"].append(tree_id)
            attrs["nodes_nodeids"].append(node_id)
            if "children" in node:
                attrs["nodes_featureids"].append(int(node["split"][1:]))
                attrs["nodes_modes"].append("BRANCH_LT")
                attrs["nodes_values"].append(float(node["split_condition"]))
                attrs["nodes_truenodeids"].append(remap[node["yes"]])
                attrs["nodes_falsenodeids"].append(remap[node["no"]])
                attrs["nodes_missing_value_tracks_true"].append(
                    int(node.get("missing", -1) == node["yes"])
                )
                for child in node["children"]:
                    visit(child)
            else:
                attrs["nodes_featureids"].append(0)
                attrs["nodes_modes"].append("LEAF")
                attrs["nodes_values"].append(0.0)
                attrs["nodes_truenodeids"].append(0)
                attrs["nodes_falsenodeids"].append(0)
                attrs["nodes_missing_value_tracks_true"].append(0)
                attrs[f"{prefix}_treeids"].append(tree_id)
                attrs[f"{prefix}_nodeids"].append(node_id)
                # Multiclass boosters grow one tree per class in turn.
                attrs[f"{prefix}_ids"].append(tree_id % n_classes if n_classes > 1 else 0)
                attrs[f"{prefix}_weights"].append(float(node["leaf"]))

        visit(root)
    return attrs


def xgb_classifier(g, feature, model):
    """XGBClassifier -> TreeEnsembleClassifier writing `label` (int64) and `probabilities`.
    binary:logistic: one score per tree (class_ids all 0), LOGISTIC, base_values only when
    base_score is not 0.5; multi:softprob: SOFTMAX with base_score repeated per class."""
    classes = [int(c) for c in model.classes_]
    objective = model.get_xgb_params()["objective"]
    score = base_score(model)
    if objective == "binary:logistic":
        attrs = tree_attributes(model, classifier=True)
        attrs["post_transform"] = "LOGISTIC"
        if score != 0.5:
            attrs["base_values"] = [float(-np.log(1 / np.float32(score) - 1.0))]
    elif objective == "multi:softprob":
        attrs = tree_attributes(model, classifier=True, n_classes=len(classes))
        attrs["post_transform"] = "SOFTMAX"
        attrs["base_values"] = [score] * len(classes)
    else:
        raise ValueError(f"no onnxmltools shape written for objective {objective}")
    attrs["classlabels_int64s"] = classes
    label, probabilities = g.unique("label"), g.unique("probabilities")
    g.node("TreeEnsembleClassifier", [feature], [label, probabilities], domain=ML, **attrs)
    return label, probabilities


def xgb_regressor(g, feature, model, output):
    """XGBRegressor (reg:squarederror) -> TreeEnsembleRegressor, base_values [base_score]."""
    attrs = tree_attributes(model, classifier=False)
    attrs["post_transform"] = "NONE"
    attrs["n_targets"] = 1
    attrs["base_values"] = [base_score(model)]
    g.node("TreeEnsembleRegressor", [feature], [output], domain=ML, **attrs)

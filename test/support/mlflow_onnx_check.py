"""Loads a model_export directory with MLflow alone (the onnx / python_function flavors) and compares
its predictions with `mlpipe predict`'s CSV. Prints one JSON object: rows, label mismatches, the
largest probability difference. Usage: mlflow_onnx_check.py MODEL_DIR INPUT_CSV PREDICT_CSV"""
import json
import sys

import mlflow
import numpy as np
import onnx
import pandas as pd
from mlflow.models import Model


def read_rows(path, signature):
    """The CSV in the signature's types: a missing string is NaN in an object column, as pandas reads it."""
    types = {c["name"]: c["type"] for c in json.loads(signature)}
    # round_trip: pandas' default float parser can be 1 ulp off, and a split threshold can sit on a data value.
    df = pd.read_csv(
        path,
        dtype={n: object for n, t in types.items() if t == "string"},
        keep_default_na=True,
        float_precision="round_trip",
    )
    for name, t in types.items():
        if t == "long":
            df[name] = df[name].astype("int64")
        elif t == "double":
            df[name] = df[name].astype("float64")
    return df[list(types)]


def main(model_dir, input_csv, predict_csv):
    onnx.checker.check_model(f"{model_dir}/model.onnx")
    meta = Model.load(f"{model_dir}/MLmodel")
    assert meta.flavors["python_function"]["loader_module"] == "mlflow.onnx", meta.flavors
    rows = read_rows(input_csv, meta.to_dict()["signature"]["inputs"])
    got = mlflow.pyfunc.load_model(model_dir).predict(rows)
    want = pd.read_csv(predict_csv, dtype={"prediction": str}, float_precision="round_trip")
    proba = [c for c in want.columns if c.startswith("proba_")]
    labels = (got["prediction"].astype(str).to_numpy() != want["prediction"].to_numpy()).sum()
    diff = float(np.max(np.abs(got[proba].to_numpy(dtype=float) - want[proba].to_numpy(dtype=float))))
    print(json.dumps({"rows": len(rows), "label_mismatches": int(labels), "max_proba_diff": diff,
                      "columns": list(got.columns)}))


if __name__ == "__main__":
    main(*sys.argv[1:4])

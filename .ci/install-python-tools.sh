#!/usr/bin/env bash
# A Python virtual environment for the interoperability checks and the tracking sink's tests: MLflow
# (tracking server, pyfunc, `mlflow models serve`), ONNX Runtime, pandas and pyarrow, all from PyPI.
# Product code never needs it. Cached: a venv that already imports them is kept.
# Prints nothing on stdout but the venv's python path on its last line, so callers can capture it.
set -euo pipefail

venv="${MLPIPE_PY_VENV:-$HOME/.cache/mlpipe/py-venv}"
py="$venv/bin/python"
# pandas < 3: mlflow.onnx feeds each column's `.values` to ONNX Runtime, and pandas 3's default str dtype
# gives an Arrow array there, which ONNX Runtime refuses (string inputs of model.onnx fail).
want='import mlflow, onnxruntime, pandas, pyarrow, onnx; assert int(pandas.__version__.split(".")[0]) < 3'

if [ -x "$py" ] && "$py" -c "$want" >/dev/null 2>&1; then
  echo "install-python-tools: cached $venv" >&2
else
  echo "install-python-tools: creating $venv (mlflow, onnxruntime, onnx, pandas, pyarrow)" >&2
  python3 -m venv "$venv"
  "$py" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  "$py" -m pip install --quiet --disable-pip-version-check mlflow onnxruntime onnx "pandas<3" pyarrow >&2
  "$py" -c "$want"
fi
echo "$py"

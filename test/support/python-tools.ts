/**
 * The Python of the interoperability checks: a venv with MLflow, ONNX Runtime, onnx, pandas and pyarrow
 * (`bash .ci/install-python-tools.sh` makes it and prints its python). $MLPIPE_PYTHON names it; else the
 * script's default venv is used when present. In CI (process.env.CI) a missing one is a failure, not a skip.
 */
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PYTHON_TOOLS_MISSING =
  'Python interop tools not found: these checks are skipped. Run `bash .ci/install-python-tools.sh` ' +
  '(a venv with mlflow, onnxruntime, onnx, pandas, pyarrow) or set MLPIPE_PYTHON to its python.';

export function findPythonTools(): string | undefined {
  const candidates = [
    process.env.MLPIPE_PYTHON,
    join(process.env.MLPIPE_PY_VENV ?? join(homedir(), '.cache/mlpipe/py-venv'), 'bin/python'),
  ];
  return candidates.find((p): p is string => {
    if (!p) return false;
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `false` when the tools are there; otherwise the skip message (in CI: throws). */
export function pythonToolsSkipReason(): string | false {
  if (findPythonTools()) return false;
  if (process.env.CI) throw new Error(`CI must have the Python interop tools. ${PYTHON_TOOLS_MISSING}`);
  return PYTHON_TOOLS_MISSING;
}

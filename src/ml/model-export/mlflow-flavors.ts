/**
 * The `onnx` and `python_function` flavors that MLflow's own `mlflow.onnx.save_model` writes, so that
 * MLflow loads an export with no code of this project: `mlflow.pyfunc.load_model(dir)`,
 * `mlflow models serve -m dir` and `mlflow models build-docker -m dir`. The environment files name
 * what those need: MLflow, ONNX Runtime and onnx (the versions the interoperability check ran with
 * as lower bounds).
 */
import { stringify as stringifyYaml } from 'yaml';

export const ONNX_FILE_NAME = 'model.onnx';
/** The onnx release whose IR version (8) and opsets (ai.onnx 17, ai.onnx.ml 3) the graph uses. */
export const ONNX_SPEC_VERSION = '1.12.0';
/** The Python the interoperability check ran (MLflow only warns on another one). */
export const PYTHON_VERSION = '3.11';
/**
 * pandas < 3: mlflow.onnx hands ONNX Runtime each column's `.values`, and for a string column pandas 3
 * gives an Arrow-backed array there, which ONNX Runtime refuses.
 */
export const PIP_REQUIREMENTS = ['mlflow>=2.9', 'onnx>=1.12', 'onnxruntime>=1.16', 'pandas<3'] as const;

export function mlflowOnnxFlavors(): Record<string, Record<string, unknown>> {
  return {
    onnx: {
      code: null,
      data: ONNX_FILE_NAME,
      onnx_version: ONNX_SPEC_VERSION,
      providers: ['CPUExecutionProvider'],
    },
    python_function: {
      data: ONNX_FILE_NAME,
      env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
      loader_module: 'mlflow.onnx',
      python_version: PYTHON_VERSION,
    },
  };
}

/** requirements.txt, python_env.yaml and conda.yaml, as MLflow writes them beside a model. */
export function mlflowEnvironmentFiles(): [string, string][] {
  const reqs = PIP_REQUIREMENTS.join('\n') + '\n';
  const pythonEnv = {
    python: PYTHON_VERSION,
    build_dependencies: ['pip'],
    dependencies: ['-r requirements.txt'],
  };
  const conda = {
    name: 'mlflow-env',
    channels: ['conda-forge'],
    dependencies: [`python=${PYTHON_VERSION}`, 'pip', { pip: [...PIP_REQUIREMENTS] }],
  };
  return [
    ['requirements.txt', reqs],
    ['python_env.yaml', stringifyYaml(pythonEnv, { version: '1.1' })],
    ['conda.yaml', stringifyYaml(conda, { version: '1.1' })],
  ];
}

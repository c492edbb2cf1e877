/** Links into the Temporal Web UI, for the CLI's output and the MLflow run's tags. */
import { DEFAULT_WEB_UI } from '../contract';

export function webUiRunUrl(uiUrl: string, namespace: string, workflowId: string, runId?: string): string {
  const base = `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${runId}/history` : base;
}

/**
 * The Web UI a worker's runs show in, as the CLI finds it: $TEMPORAL_UI_URL, else the embedded dev
 * server's UI port when no server address is configured, else the Temporal default.
 */
export function webUiBase(
  config: { temporal: { address: string | null; dev_server: { ui_port: number } } },
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (env.TEMPORAL_UI_URL) return env.TEMPORAL_UI_URL.replace(/\/+$/, '');
  if (!env.TEMPORAL_ADDRESS && !config.temporal.address)
    return `http://localhost:${config.temporal.dev_server.ui_port}`;
  return DEFAULT_WEB_UI;
}

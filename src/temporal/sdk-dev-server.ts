/**
 * Fallback when no `temporal` binary is installed: the SDK's own dev server, which downloads the CLI
 * on machines with internet. It lives only as long as this process.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DevServerOptions } from './dev-server';
import { TEMPORAL_CLI_HELP } from './dev-server';
import { devServerSearchAttributeArgs } from './search-attributes';

export async function startSdkDevServer(opts: DevServerOptions): Promise<TestWorkflowEnvironment> {
  try {
    return await TestWorkflowEnvironment.createLocal({
      server: {
        dbFilename: opts.dbFile,
        port: opts.port,
        ui: true,
        uiPort: opts.uiPort,
        namespace: opts.namespace,
        extraArgs: devServerSearchAttributeArgs(),
      },
    });
  } catch (err) {
    throw new Error(
      `${TEMPORAL_CLI_HELP}\n(SDK download failed: ${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
}

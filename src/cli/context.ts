/**
 * What every CLI command shares: the loaded config (global --config and --set), the artifact store,
 * and a Temporal client, connected to TEMPORAL_ADDRESS or to the embedded dev server.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { isAbsolute, join, resolve } from 'node:path';
import { loadConfig, projectRoot, type PipelineConfig } from '../config';
import { openStore } from '../store';
import type { ArtifactStore } from '../store/types';
import { temporalSettings, type TemporalSettings } from '../temporal/connection-settings';
import { ensureDevServer, findTemporalCli, isPortOpen, type DevServerOptions } from '../temporal/dev-server';
import { assertOwnHealthyServer, readOwnState } from '../temporal/server-ownership';
import { startSdkDevServer } from '../temporal/sdk-dev-server';

export interface GlobalOptions {
  config?: string;
  set?: string[];
}

export class CliContext {
  private cachedConfig?: PipelineConfig;
  private readonly cachedStores = new Map<string, Promise<ArtifactStore>>();
  private sdkServer?: TestWorkflowEnvironment;
  private connection?: Connection;

  constructor(readonly options: GlobalOptions) {}

  get config(): PipelineConfig {
    this.cachedConfig ??= loadConfig({ path: this.options.config, overrides: this.options.set ?? [] });
    return this.cachedConfig;
  }

  get temporal(): TemporalSettings {
    return temporalSettings(this.config);
  }

  /** The state folder of the embedded mode (dev server database, logs, reports). */
  stateDir(): string {
    return join(projectRoot(), '.mlpipe');
  }

  devServerOptions(): DevServerOptions {
    const dev = this.config.temporal.dev_server;
    return {
      dbFile: isAbsolute(dev.db_file) ? dev.db_file : resolve(projectRoot(), dev.db_file),
      port: dev.port,
      uiPort: dev.ui_port,
      namespace: this.temporal.namespace,
      stateDir: this.stateDir(),
    };
  }

  /** The configured store, scoped to `project` (a command's --project), else to main.project_name. */
  getStore = (project?: string): Promise<ArtifactStore> => {
    const name = project ?? this.config.main.project_name;
    let store = this.cachedStores.get(name);
    if (!store) {
      store = Promise.resolve().then(() =>
        openStore(this.config.storage.uri, {
          baseDir: projectRoot(),
          project: name,
          s3: {
            endpoint: this.config.storage.s3.endpoint ?? undefined,
            region: this.config.storage.s3.region ?? undefined,
            forcePathStyle: this.config.storage.s3.force_path_style,
          },
        }),
      );
      this.cachedStores.set(name, store);
    }
    return store;
  };

  /**
   * The server address: TEMPORAL_ADDRESS / config when set, else the embedded dev server (started
   * if needed). `embedded` tells the caller to run a worker in-process.
   */
  async resolveServer(
    log: (line: string) => void,
  ): Promise<{ address: string; uiUrl: string; embedded: boolean }> {
    const settings = this.temporal;
    if (settings.address) {
      return {
        address: settings.address,
        uiUrl: process.env.TEMPORAL_UI_URL ?? 'http://localhost:8233',
        embedded: false,
      };
    }
    const opts = this.devServerOptions();
    if (!findTemporalCli()) {
      log('No `temporal` binary on PATH: starting the SDK-managed dev server (downloads the CLI once).');
      this.sdkServer = await startSdkDevServer(opts);
      return { address: `127.0.0.1:${opts.port}`, uiUrl: `http://localhost:${opts.uiPort}`, embedded: true };
    }
    const dev = await ensureDevServer(opts, log);
    if (dev.started)
      log(
        `Started the Temporal dev server (pid ${dev.pid}, data ${opts.dbFile}); stop it with \`mlpipe server stop\`.`,
      );
    return { address: dev.address, uiUrl: dev.uiUrl, embedded: true };
  }

  async client(address: string): Promise<Client> {
    this.connection ??= await Connection.connect({ address });
    return new Client({ connection: this.connection, namespace: this.temporal.namespace });
  }

  /** Connects for commands that only talk to an existing server (schedules, describe). */
  async existingClient(): Promise<Client> {
    if (!this.temporal.address) {
      // The embedded server is checked as `mlpipe run` checks it: never a stranger's by accident.
      const opts = this.devServerOptions();
      if (!(await isPortOpen(opts.port)))
        throw new Error(
          `No Temporal server on 127.0.0.1:${opts.port}: start this checkout's with \`mlpipe server --detach\` ` +
            '(and a worker next to it: `mlpipe worker`), or set TEMPORAL_ADDRESS to a running one.',
        );
      await assertOwnHealthyServer(
        opts,
        readOwnState(opts, (line) => console.error(line)),
      );
    }
    const address = this.temporal.address ?? `127.0.0.1:${this.config.temporal.dev_server.port}`;
    return this.client(address);
  }

  async close(): Promise<void> {
    await this.connection?.close();
    await this.sdkServer?.teardown();
  }
}

/**
 * An in-process worker would print the workflow bundler's and every activity's INFO lines into the
 * progress display; the CLI prints failures itself, so it keeps them at ERROR unless MLPIPE_LOG_LEVEL says otherwise.
 */
export function quietWorkerLogs(): void {
  const level = (process.env.MLPIPE_LOG_LEVEL?.toUpperCase() ?? 'ERROR') as LogLevel;
  Runtime.install({ logger: new DefaultLogger(level) });
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export { webUiRunUrl } from '../temporal/web-ui';

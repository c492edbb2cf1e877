/**
 * Property-based fuzzing of POST /invocations over real HTTP to a real scoring server: whatever the body
 * and content type (random JSON, MLflow's four input shapes with wrong, missing and extra columns and
 * values of any JSON type, CSV text, raw bytes), the answer is 200 or a 4xx in MLflow's error shape
 * (`{"error_code", "message"}`), never a 5xx, and the server keeps answering.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { startModelServer, type StartedServer } from '../serve/server-harness';
import { fuzzBudget } from './budget';

let server: StartedServer;
let columns: string[];
let exampleRows: unknown[][];
const counts = { requests: 0, ok: 0, client: 0, server: 0 };

before(async () => {
  server = await startModelServer({ seed: 5, bodyLimit: 256 * 1024 });
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const serving = JSON.parse(readFileSync(join(server.modelDir, 'serving_input_example.json'), 'utf8')) as {
    dataframe_split: { columns: string[]; data: unknown[][] };
  };
  columns = serving.dataframe_split.columns;
  exampleRows = serving.dataframe_split.data;
});
after(async () => {
  await server?.app.close();
  console.log(
    `[fuzz] /invocations: ${counts.requests} requests, ${counts.ok} × 200, ${counts.client} × 4xx, ${counts.server} × 5xx`,
  );
});

const anyValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.constantFrom(null, true, false, '', 'NaN', 'inf', '1e999', '-0'),
  fc.jsonValue({ maxDepth: 2 }),
);

function columnName(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...columns) },
    { weight: 1, arbitrary: fc.string() },
  );
}

function bodies(): fc.Arbitrary<{ type: string; body: string | Uint8Array }> {
  const json = (a: fc.Arbitrary<unknown>) =>
    a.map((v) => ({ type: 'application/json', body: JSON.stringify(v) }));
  const row = fc.dictionary(columnName(), anyValue, { maxKeys: columns.length + 2 });
  // Valid rows with a few cells replaced by anything: most score (200), some are refused (4xx).
  const mutatedRows = fc.array(fc.tuple(fc.nat(), fc.nat(), anyValue), { maxLength: 3 }).map((edits) => {
    const data = exampleRows.map((r) => [...r]);
    for (const [r, c, v] of edits) data[r % data.length][c % columns.length] = v;
    return { type: 'application/json', body: JSON.stringify({ dataframe_split: { columns, data } }) };
  });
  return fc.oneof(
    { weight: 3, arbitrary: mutatedRows },
    json(fc.jsonValue({ maxDepth: 3 })),
    json(
      fc.record({
        dataframe_split: fc.record(
          {
            columns: fc.oneof(fc.shuffledSubarray(columns), fc.array(columnName(), { maxLength: 20 })),
            data: fc.array(fc.array(anyValue, { maxLength: columns.length + 2 }), { maxLength: 5 }),
            index: fc.array(fc.integer(), { maxLength: 5 }),
          },
          { requiredKeys: [] },
        ),
      }),
    ),
    json(fc.record({ dataframe_records: fc.array(row, { maxLength: 5 }) })),
    json(fc.record({ instances: fc.oneof(fc.array(row, { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })) })),
    json(
      fc.record({
        inputs: fc.oneof(
          fc.dictionary(columnName(), fc.array(anyValue, { maxLength: 4 })),
          fc.jsonValue({ maxDepth: 2 }),
        ),
      }),
    ),
    json(
      fc.record(
        { dataframe_split: fc.jsonValue({ maxDepth: 2 }), params: fc.jsonValue({ maxDepth: 2 }) },
        { requiredKeys: [] },
      ),
    ),
    fc
      .tuple(
        fc.shuffledSubarray(columns),
        fc.array(fc.array(fc.string(), { maxLength: 14 }), { maxLength: 4 }),
      )
      .map(([cols, rows]) => ({
        type: 'text/csv',
        body: [cols.join(','), ...rows.map((r) => r.join(','))].join('\n'),
      })),
    fc.string().map((s) => ({ type: 'text/csv', body: s })),
    fc
      .tuple(
        fc.constantFrom('application/json', 'text/csv', 'application/octet-stream', 'text/plain', ''),
        fc.uint8Array({ maxLength: 512 }),
      )
      .map(([type, body]) => ({ type, body })),
  );
}

void it(
  "answers every generated request with 200 or a 4xx in MLflow's error shape",
  { timeout: 45 * 60_000 },
  async () => {
    await fc.assert(
      fc.asyncProperty(bodies(), async ({ type, body }) => {
        const headers: Record<string, string> = type ? { 'content-type': type } : {};
        const res = await fetch(`${server.base}/invocations`, { method: 'POST', headers, body });
        const text = await res.text();
        counts.requests++;
        if (res.status >= 500) counts.server++;
        if (res.status === 200) {
          counts.ok++;
          return;
        }
        assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${text.slice(0, 300)}`);
        counts.client++;
        const parsed = JSON.parse(text) as { error_code?: unknown; message?: unknown };
        assert.equal(typeof parsed.error_code, 'string', text);
        assert.equal(typeof parsed.message, 'string', text);
      }),
      fuzzBudget(300),
    );
    assert.equal(counts.server, 0);
    assert.ok(counts.requests > 0);
    // The server still answers a valid request after all of it.
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const ok = await fetch(`${server.base}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: readFileSync(join(server.modelDir, 'serving_input_example.json')),
    });
    assert.equal(ok.status, 200);
  },
);

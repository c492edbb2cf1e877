import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { plotConfusionMatrix, renderRunReport, type RunReportInput } from '../../src/report';

const EVIL = '<img src=x onerror="alert(1)">\'&';
const EVIL_ESCAPED = '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;';

function sectionOf(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `section #${id} present`);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end < 0 ? undefined : end);
}

function input(overrides: Partial<RunReportInput> = {}): RunReportInput {
  return {
    workflowId: 'mlpipe-20260101-abc',
    runId: 'run-1234',
    trigger: { kind: 'schedule', id: 'nightly-retrain' },
    status: 'completed',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:12.500Z',
    modelRef: 'model_export:v3',
    metrics: { test_roc_auc: 0.96123456, test_accuracy: 0.7, n_test: 12593 },
    plots: [
      {
        title: 'Confusion matrix (test)',
        svg: '<svg xmlns="http://www.w3.org/2000/svg"><text>Emo</text></svg>',
      },
    ],
    steps: [
      {
        step: 'get_data',
        status: 'completed',
        attempts: 1,
        durationMs: 420,
        summary: 'raw_data:v0, 42896 rows',
      },
      {
        step: 'train_random_forest',
        status: 'completed',
        attempts: 2,
        durationMs: 8123,
        summary: '100 trees',
      },
      { step: 'evaluate', status: 'failed', attempts: 3, durationMs: 65_000, error: 'bad column' },
    ],
    artifacts: [
      {
        step: 'train_random_forest',
        consumed: [
          {
            requested: 'data_train:latest',
            name: 'data_train',
            version: 2,
            ref: 'data_train:v2',
            digest: 'sha256:aaaa1111',
          },
        ],
        produced: [
          {
            name: 'model_export',
            version: 3,
            ref: 'model_export:v3',
            digest: 'sha256:bbbb2222',
            reused: true,
          },
        ],
      },
    ],
    promotion: {
      promoted: true,
      reason: 'test_roc_auc 0.9612 > prod 0.9500',
      metric: 'test_roc_auc',
      candidate: 0.9612,
      prod: 0.95,
      prodRef: 'model_export:v2',
    },
    config: {
      main: { project_name: 'genre_classification', random_seed: 42 },
      random_forest_pipeline: { random_forest: { n_estimators: 100, max_depth: null } },
    },
    configDigest: 'sha256:cccc3333',
    codeVersion: {
      package: 'temporal-ml-pipeline',
      version: '0.1.0',
      gitCommit: 'deadbeef',
      node: 'v20.20.2',
    },
    ...overrides,
  };
}

void describe('renderRunReport', () => {
  void it('has a summary with the workflow ID, trigger, status, times and duration', () => {
    const html = renderRunReport(input());
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.ok(html.includes('<title>Run mlpipe-20260101-abc</title>'));
    const summary = html.slice(html.indexOf('id="summary"'), html.indexOf('</header>'));
    for (const s of [
      'run-1234',
      'schedule (nightly-retrain)',
      'completed',
      '2026-01-01T00:00:12.500Z',
      '12.50 s',
    ]) {
      assert.ok(summary.includes(s), `summary shows ${s}`);
    }
    assert.ok(summary.includes('model_export:v3'));
  });

  void it('has every section, with its content', () => {
    const html = renderRunReport(input());
    const metrics = sectionOf(html, 'metrics');
    assert.ok(metrics.includes('test_roc_auc') && metrics.includes('0.9612'));
    assert.ok(metrics.includes('>12593<'), 'integers unformatted');

    const plots = sectionOf(html, 'plots');
    const src = /<img src="data:image\/svg\+xml;base64,([^"]+)" alt="Confusion matrix \(test\)">/.exec(plots);
    assert.ok(src, 'plot embedded as a data: URI');
    assert.ok(Buffer.from(src[1], 'base64').toString('utf8').includes('<text>Emo</text>'));

    const steps = sectionOf(html, 'steps');
    assert.ok(
      steps.includes('train_random_forest') && steps.includes('8.12 s') && steps.includes('1 min 05 s'),
    );
    assert.match(steps, /status-failed">failed</);
    assert.ok(steps.includes('bad column'));

    const artifacts = sectionOf(html, 'artifacts');
    for (const s of [
      'data_train:latest',
      'data_train:v2',
      'sha256:aaaa1111',
      'model_export:v3',
      'sha256:bbbb2222',
    ]) {
      assert.ok(artifacts.includes(s), `artifacts show ${s}`);
    }
    assert.ok(
      artifacts.includes('consumed') && artifacts.includes('produced') && artifacts.includes('(reused)'),
    );

    const promotion = sectionOf(html, 'promotion');
    assert.ok(promotion.includes('promoted') && promotion.includes('test_roc_auc 0.9612 &gt; prod 0.9500'));
    assert.ok(promotion.includes('model_export:v2'));

    const config = sectionOf(html, 'config');
    assert.ok(config.includes('sha256:cccc3333'));
    const yaml = /<pre>([\s\S]*)<\/pre>/.exec(config)?.[1] ?? '';
    assert.deepEqual(YAML.parse(yaml), input().config, 'the YAML shown parses back to the resolved config');

    const code = sectionOf(html, 'code-version');
    assert.ok(code.includes('deadbeef') && code.includes('0.1.0') && code.includes('v20.20.2'));
  });

  void it('escapes every piece of text: no markup injection', () => {
    const html = renderRunReport(
      input({
        workflowId: EVIL,
        error: EVIL,
        metrics: { [EVIL]: 1 },
        plots: [{ title: EVIL, svg: `<svg><text>${EVIL}</text></svg>` }],
        steps: [{ step: 'evaluate', status: 'failed', attempts: 1, summary: `genre ${EVIL}`, error: EVIL }],
        promotion: { promoted: false, reason: EVIL, metric: EVIL, candidate: 0.5 },
        config: { data: { target: EVIL, classes: [EVIL] } },
        codeVersion: { version: EVIL },
      }),
    );
    assert.ok(!html.includes('<img src=x'), 'no injected element');
    assert.ok(!html.includes('onerror="'), 'no injected attribute');
    assert.ok(!/<script/i.test(html), 'no script at all');
    // Title, summary, error, metric, plot alt + caption, step summary + error, promotion reason + metric,
    // code version: each shows the text escaped.
    const count = html.split(EVIL_ESCAPED).length - 1;
    assert.ok(count >= 12, `escaped text shown ${count} times`);
  });

  void it('maps an unexpected status to a neutral CSS class', () => {
    const html = renderRunReport(
      input({ steps: [{ step: 'get_data', status: 'x" onclick="y' as never, attempts: 1 }] }),
    );
    assert.ok(html.includes('status-unknown'));
    assert.ok(!html.includes('onclick="y'));
  });

  void it('is deterministic and embeds real plots', async () => {
    const cm = await plotConfusionMatrix(
      ['Emo', 'Pop'],
      [
        [0.9, 0.1],
        [0.2, 0.8],
      ],
    );
    const withPlots = input({
      plots: [
        { title: 'svg plot', svg: cm.svg },
        { title: 'png plot', png: cm.png },
      ],
    });
    const a = renderRunReport(withPlots);
    assert.equal(a, renderRunReport(structuredClone(withPlots)));
    assert.ok(a.includes(`data:image/svg+xml;base64,${Buffer.from(cm.svg).toString('base64')}"`));
    assert.ok(a.includes(`data:image/png;base64,${cm.png.toString('base64')}"`));
  });

  void it('renders a failed run with no metrics, plots, artifacts or promotion', () => {
    const html = renderRunReport(
      input({
        status: 'failed',
        error: 'check_data: column "loudness" expected float, found string (row 12)',
        endedAt: undefined,
        metrics: {},
        plots: [],
        artifacts: [],
        promotion: undefined,
        codeVersion: { version: '0.1.0' },
      }),
    );
    assert.ok(html.includes('No metrics recorded.'));
    assert.ok(html.includes('No plots recorded.'));
    assert.ok(html.includes('No artifacts recorded.'));
    assert.ok(html.includes('No promotion decision recorded.'));
    assert.ok(html.includes('column &quot;loudness&quot; expected float'));
    assert.ok(html.includes('unknown (not a git checkout)'));
  });

  void it('rejects a plot with neither SVG nor PNG', () => {
    assert.throws(
      () => renderRunReport(input({ plots: [{ title: 'empty' }] })),
      /plot "empty" has neither svg nor png/,
    );
  });
});

import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { plotConfusionMatrix, plotFeatureImportance } from '../../src/report';
import { DEFAULT_FONT_DIRS, findDejaVu, resolveFontOptions } from '../../src/report/fonts';
import { svgToPng, PNG_ZOOM } from '../../src/report/rasterize';
import { pngInfo } from './png';

const GENRES = [
  'Dark Trap',
  'Underground Rap',
  'Trap Metal',
  'Emo',
  'Rap',
  'RnB',
  'Pop',
  'Hiphop',
  'techhouse',
  'techno',
  'trance',
  'psytrance',
  'trap',
  'dnb',
  'hardstyle',
];

/** A 15×15 confusion matrix of counts with a strong diagonal, from a fixed LCG (no Math.random). */
function counts15(): number[][] {
  let s = 7;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return GENRES.map((_, i) =>
    GENRES.map((_, j) =>
      i === j ? 300 + Math.floor(rnd() * 200) : rnd() < 0.4 ? Math.floor(rnd() * 60) : 0,
    ),
  );
}

function normalize(m: number[][]): number[][] {
  return m.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => v / total);
  });
}

/** Feature names as the SVG writes them (XML text escaping). */
function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

void describe('plotFeatureImportance', () => {
  const names = ['tempo', 'danceability', 'energy', 'key=5', '<b>x</b> & "y"', 'liveness'];
  const importances = Float64Array.from([0.1, 0.35, 0.2, 0.01, 0.25, 0.09]);

  void it('draws the top features, largest first, with escaped names', async () => {
    const { svg } = await plotFeatureImportance(names, importances, { top: 5, title: 'Top five' });
    assert.ok(svg.startsWith('<svg'));
    assert.ok(svg.includes('Top five'));
    assert.ok(!svg.includes('<b>x</b>'), 'markup in a feature name must not reach the SVG');
    const order = ['danceability', '<b>x</b> & "y"', 'energy', 'tempo', 'liveness'].map((n) =>
      svg.indexOf(`>${xml(n)}</text>`),
    );
    assert.ok(
      order.every((pos) => pos >= 0),
      `every top feature is labelled: ${order}`,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'labels appear in importance order',
    );
    assert.ok(!svg.includes('>key=5</text>'), 'the sixth feature is left out with top=5');
  });

  void it('renders a PNG of plausible size', async () => {
    const { svg, png } = await plotFeatureImportance(names, importances);
    const info = pngInfo(png);
    assert.ok(info.signature, 'PNG signature');
    const svgWidth = Number(/width="(\d+)"/.exec(svg)?.[1]);
    assert.equal(info.width, svgWidth * PNG_ZOOM);
    assert.ok(info.height > 150 && info.height < 2000, `height ${info.height}`);
    assert.ok(png.length > 5_000, `PNG of ${png.length} bytes has content`);
  });

  void it('is deterministic: same input, same SVG and PNG bytes', async () => {
    const a = await plotFeatureImportance(names, importances);
    const b = await plotFeatureImportance(names, importances);
    assert.equal(a.svg, b.svg);
    assert.ok(a.png.equals(b.png));
  });

  void it('rejects mismatched or non-finite input with a clear message', () => {
    assert.throws(() => plotFeatureImportance(['a', 'b'], [1]), /2 feature names but 1 importances/);
    assert.throws(() => plotFeatureImportance(['a', 'b'], [1, NaN]), /feature "b" is NaN/);
    assert.throws(() => plotFeatureImportance(['a'], [1], { top: 0 }), /top must be a positive integer/);
  });
});

void describe('plotConfusionMatrix', () => {
  void it('labels every class and cell of a 15×15 normalized matrix', async () => {
    const m = normalize(counts15());
    const { svg, png } = await plotConfusionMatrix(GENRES, m);
    for (const g of GENRES) assert.ok(svg.includes(`>${g}</text>`), `class ${g} labelled`);
    assert.ok(svg.includes('rows normalized'));
    // 225 cell labels: the diagonal's fractions among them.
    assert.ok(svg.includes(`>${m[0][0].toFixed(2)}</text>`));
    const texts = svg.match(/<text[^>]*>[^<]*<\/text>/g) ?? [];
    assert.ok(texts.length >= 15 * 15 + 2 * 15, `${texts.length} text elements: cells plus axis labels`);
    const info = pngInfo(png);
    assert.ok(info.signature);
    assert.ok(
      info.width >= 15 * 30 * PNG_ZOOM && info.height >= 15 * 30 * PNG_ZOOM,
      `${info.width}×${info.height}`,
    );
  });

  void it('shows counts as integers and detects that they are not normalized', async () => {
    const m = counts15();
    const { svg } = await plotConfusionMatrix(
      GENRES.slice(0, 3),
      m.slice(0, 3).map((r) => r.slice(0, 3)),
    );
    assert.ok(svg.includes('(counts)'));
    assert.ok(svg.includes(`>${m[0][0]}</text>`));
  });

  void it('is deterministic: same input, same SVG and PNG bytes', async () => {
    const m = normalize(counts15());
    const a = await plotConfusionMatrix(GENRES, m, { title: 'Validation' });
    const b = await plotConfusionMatrix(GENRES, m, { title: 'Validation' });
    assert.equal(a.svg, b.svg);
    assert.ok(a.png.equals(b.png));
  });

  void it('gives the same bytes when plots render concurrently (vega id counters are not shared)', async () => {
    const m = normalize(counts15());
    const alone = await plotConfusionMatrix(GENRES, m);
    const [a, , b] = await Promise.all([
      plotConfusionMatrix(GENRES, m),
      plotFeatureImportance(['x', 'y'], [0.4, 0.6]),
      plotConfusionMatrix(GENRES, m),
    ]);
    assert.equal(a.svg, alone.svg);
    assert.equal(b.svg, alone.svg);
  });

  void it('escapes class names', async () => {
    const { svg } = await plotConfusionMatrix(
      ['<script>x</script>', 'a&b'],
      [
        [1, 0],
        [0, 1],
      ],
    );
    assert.ok(!svg.includes('<script>'));
    assert.ok(svg.includes('&lt;script&gt;x&lt;/script&gt;'));
    assert.ok(svg.includes('>a&amp;b</text>'));
  });

  void it('rejects a malformed matrix naming the row or cell', () => {
    assert.throws(() => plotConfusionMatrix(['a', 'b'], [[1, 0]]), /2 classes but 1 matrix rows/);
    assert.throws(
      () => plotConfusionMatrix(['a', 'b'], [[1, 0], [1]]),
      /row 1 \("b"\) has 1 values, expected 2/,
    );
    assert.throws(
      () =>
        plotConfusionMatrix(
          ['a', 'b'],
          [
            [1, -1],
            [0, 1],
          ],
        ),
      /cell \[0\]\[1\] \("a" → "b"\) is -1/,
    );
    assert.throws(
      () =>
        plotConfusionMatrix(
          ['a', 'a'],
          [
            [1, 0],
            [0, 1],
          ],
        ),
      /class "a" is listed twice/,
    );
  });
});

void describe('fonts', () => {
  void it('finds DejaVu Sans (CI installs fonts-dejavu-core)', () => {
    assert.ok(findDejaVu(DEFAULT_FONT_DIRS), `DejaVuSans.ttf in one of ${DEFAULT_FONT_DIRS.join(', ')}`);
  });

  void it('draws text with the font, and still renders a PNG without any font', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">' +
      '<text x="5" y="25" font-family="sans-serif" font-size="16">Hiphop</text></svg>';
    const withFont = await svgToPng(svg);
    const noFont = await svgToPng(svg, { loadSystemFonts: false });
    assert.ok(pngInfo(noFont).signature, 'a PNG even with no font');
    assert.equal(pngInfo(noFont).width, 120 * PNG_ZOOM);
    assert.ok(!withFont.equals(noFont), 'the font draws the text');
  });

  void it('falls back to system fonts with a one-line warning when DejaVu is missing', () => {
    const warn = mock.method(console, 'warn', () => undefined);
    try {
      const opts = resolveFontOptions(['/nonexistent/fonts']);
      resolveFontOptions(['/nonexistent/fonts']);
      assert.equal(opts.loadSystemFonts, true);
      assert.equal(warn.mock.callCount(), 1, 'warned once');
      const line = String(warn.mock.calls[0].arguments[0]);
      assert.match(line, /DejaVu Sans not found.*fonts-dejavu-core/);
      assert.ok(!line.includes('\n'));
    } finally {
      warn.mock.restore();
    }
  });
});

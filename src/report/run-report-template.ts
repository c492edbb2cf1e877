/**
 * The run report's HTML, as an Eta template. `<%= … %>` escapes (& < > " ') — the template uses nothing else,
 * so no input (genre names, config strings, error messages) can inject markup. Values arrive preformatted
 * from run-report.ts; the template only lays them out. Inline CSS, no scripts, and a CSP that allows only
 * inline styles and data: images, so the file stays self-contained and inert.
 */
export const RUN_REPORT_TEMPLATE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= it.title %></title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1f2328; line-height: 1.45; }
  h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
  h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: 0.3rem; }
  table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.92rem; }
  th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
  th { background: #f6f8fa; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.85rem; }
  .digest { word-break: break-all; }
  pre { background: #f6f8fa; padding: 0.8rem; overflow-x: auto; border: 1px solid #d0d7de; }
  .status { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 0.8rem; font-weight: 600; font-size: 0.85rem; }
  .status-completed, .status-promoted { background: #dafbe1; color: #116329; }
  .status-failed { background: #ffebe9; color: #a40e26; }
  .status-running, .status-pending { background: #fff8c5; color: #7d4e00; }
  .status-skipped, .status-cancelled, .status-kept { background: #eaeef2; color: #57606a; }
  .error { background: #ffebe9; border: 1px solid #ff8182; padding: 0.6rem 0.8rem; white-space: pre-wrap; }
  figure { margin: 1rem 0; }
  figure img { max-width: 100%; height: auto; border: 1px solid #d0d7de; }
  figcaption { font-size: 0.9rem; color: #57606a; }
  .muted { color: #57606a; }
</style>
</head>
<body>
<header id="summary">
  <h1><%= it.title %></h1>
  <p><span class="status status-<%= it.statusClass %>"><%= it.status %></span></p>
  <table>
<% for (const row of it.summary) { %>
    <tr><th scope="row"><%= row.label %></th><td class="<%= row.mono ? 'mono' : '' %>"><%= row.value %></td></tr>
<% } %>
  </table>
<% if (it.error) { %>
  <div class="error"><%= it.error %></div>
<% } %>
</header>

<section id="metrics">
  <h2>Metrics</h2>
<% if (it.metrics.length === 0) { %>
  <p class="muted">No metrics recorded.</p>
<% } else { %>
  <table>
    <tr><th>Metric</th><th>Value</th></tr>
<% for (const m of it.metrics) { %>
    <tr><td><%= m.name %></td><td class="num"><%= m.value %></td></tr>
<% } %>
  </table>
<% } %>
</section>

<section id="plots">
  <h2>Plots</h2>
<% if (it.plots.length === 0) { %>
  <p class="muted">No plots recorded.</p>
<% } %>
<% for (const p of it.plots) { %>
  <figure>
    <img src="<%= p.src %>" alt="<%= p.title %>">
    <figcaption><%= p.title %></figcaption>
  </figure>
<% } %>
</section>

<section id="steps">
  <h2>Steps</h2>
  <table>
    <tr><th>Step</th><th>Status</th><th>Cache</th><th>Attempts</th><th>Started</th><th>Duration</th><th>Summary</th></tr>
<% for (const s of it.steps) { %>
    <tr>
      <td><%= s.step %></td>
      <td><span class="status status-<%= s.statusClass %>"><%= s.status %></span></td>
      <td class="cache"><%= s.cache %><% if (s.cacheKey) { %><div class="muted mono"><%= s.cacheKey %></div><% } %></td>
      <td class="num"><%= s.attempts %></td>
      <td class="mono"><%= s.startedAt %></td>
      <td class="num"><%= s.duration %></td>
      <td><%= s.summary %><% if (s.error) { %><div class="error"><%= s.error %></div><% } %></td>
    </tr>
<% } %>
  </table>
</section>

<section id="artifacts">
  <h2>Artifacts</h2>
<% if (it.artifacts.length === 0) { %>
  <p class="muted">No artifacts recorded.</p>
<% } else { %>
  <table>
    <tr><th>Step</th><th>Direction</th><th>Requested</th><th>Resolved</th><th>Digest</th></tr>
<% for (const a of it.artifacts) { %>
    <tr>
      <td><%= a.step %></td>
      <td><%= a.direction %></td>
      <td class="mono"><%= a.requested %></td>
      <td class="mono"><%= a.ref %><% if (a.reused) { %> <span class="muted">(reused)</span><% } %></td>
      <td class="mono digest"><%= a.digest %></td>
    </tr>
<% } %>
  </table>
<% } %>
</section>

<section id="promotion">
  <h2>Promotion</h2>
<% if (!it.promotion) { %>
  <p class="muted">No promotion decision recorded.</p>
<% } else { %>
  <p><span class="status status-<%= it.promotion.promoted ? 'promoted' : 'kept' %>"><%= it.promotion.promoted ? 'promoted' : 'not promoted' %></span> <%= it.promotion.reason %></p>
  <table>
    <tr><th scope="row">Metric</th><td><%= it.promotion.metric %></td></tr>
    <tr><th scope="row">Candidate</th><td class="num"><%= it.promotion.candidate %></td></tr>
    <tr><th scope="row">Current prod</th><td class="num"><%= it.promotion.prod %></td></tr>
    <tr><th scope="row">Prod ref</th><td class="mono"><%= it.promotion.prodRef %></td></tr>
  </table>
<% } %>
</section>

<section id="config">
  <h2>Resolved config</h2>
  <p>Digest <code class="digest"><%= it.config.digest %></code></p>
  <pre><%= it.config.yaml %></pre>
</section>

<section id="code-version">
  <h2>Code version</h2>
  <table>
<% for (const row of it.code) { %>
    <tr><th scope="row"><%= row.label %></th><td class="mono"><%= row.value %></td></tr>
<% } %>
  </table>
</section>
</body>
</html>
`;

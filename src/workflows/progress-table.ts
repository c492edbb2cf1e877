/**
 * Renders the run's step table as markdown, for the Web UI's "current details" panel.
 * Pure string work: safe in workflow code.
 */
import type { PipelineProgress, StepProgress } from '../contract';

const STATUS_ICON: Record<StepProgress['status'], string> = {
  pending: '⏳ pending',
  running: '▶️ running',
  completed: '✅ completed',
  failed: '❌ failed',
  skipped: '⏭ skipped',
};

function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderProgressMarkdown(progress: PipelineProgress, headline?: string): string {
  const lines = [
    `**Status:** ${progress.status}${progress.currentStep ? ` · current step: \`${progress.currentStep}\`` : ''}`,
  ];
  if (headline) lines.push('', headline);
  lines.push('', '| # | step | status | attempts | duration | summary |', '|---|---|---|---|---|---|');
  progress.steps.forEach((s, i) => {
    lines.push(
      `| ${i + 1} | ${s.step} | ${STATUS_ICON[s.status]} | ${s.attempts || ''} | ${formatDuration(s.durationMs)} | ${cell(s.error ?? s.summary)} |`,
    );
  });
  if (progress.shards) lines.push('', ...renderShards(progress));
  return lines.join('\n');
}

/** A sharded fit's shards: which trees each builds, where, and whether a retry had to rebuild any. */
function renderShards(progress: PipelineProgress): string[] {
  const shards = progress.shards ?? [];
  const done = shards.filter((s) => s.status === 'completed').length;
  const trees = progress.training
    ? ` · trees ${progress.training.done}/${progress.training.total} in finished shards`
    : '';
  const lines = [
    `**Shards:** ${done}/${shards.length} done${trees}`,
    '',
    '| shard | trees | status | attempts | built | from checkpoints | worker | duration |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const s of shards) {
    const status =
      s.status === 'running' ? '▶️ running' : s.status === 'completed' ? '✅ completed' : '❌ failed';
    lines.push(
      `| ${s.shard + 1} | ${s.from}–${s.to - 1} | ${status} | ${s.attempts ?? ''} | ${s.built ?? ''} | ${s.resumed ?? ''} | ${cell(s.worker)} | ${formatDuration(s.durationMs)} |`,
    );
  }
  return lines;
}

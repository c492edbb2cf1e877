/**
 * `mlpipe events ls [--failed]` and `mlpipe events redeliver [MOVE_ID | --failed]`: the alias
 * events' deliveries (src/events), as recorded in the store.
 */
import type { Command } from 'commander';
import {
  deliverOutbox,
  hasOutbox,
  isFailed,
  listDeliveries,
  redeliver,
  type DeliverySummary,
} from '../../events/deliver';
import { deliverySettings } from '../../events/settings';
import { cliSignalWithStart } from '../alias-events';
import type { CliContext } from '../context';

export function registerEventsCommands(program: Command, ctx: () => CliContext): void {
  const events = program
    .command('events')
    .description('alias events: their deliveries to webhooks and Temporal');

  events
    .command('ls')
    .description('list alias events and how each sink took them (moves not yet delivered too)')
    .option('--failed', 'only events a sink has not taken')
    .option('--json', 'print JSON')
    .action(async (opts: { failed?: boolean; json?: boolean }) => {
      const store = await eventStore(ctx());
      const [records, outbox] = await Promise.all([listDeliveries(store), store.readOutbox()]);
      const shown = opts.failed ? records.filter(isFailed) : records;
      const pending = opts.failed ? [] : outbox.filter((e) => e.state !== 'lost');
      if (opts.json) {
        console.log(
          JSON.stringify(
            { deliveries: shown, pending: pending.map((e) => ({ ...e.event, state: e.state })) },
            null,
            2,
          ),
        );
        return;
      }
      if (shown.length === 0 && pending.length === 0) {
        console.log(opts.failed ? 'no failed deliveries' : 'no alias events recorded');
        return;
      }
      for (const r of shown) {
        const e = r.event;
        console.log(
          `${r.id}  ${e.at}  ${e.name}:${e.alias} ${e.from === null ? '(new)' : `v${e.from}`} → v${e.to}`,
        );
        for (const [sink, s] of Object.entries(r.sinks))
          console.log(
            `   ${s.status === 'delivered' ? 'delivered' : 'FAILED   '}  ${sink}  (${s.attempts} attempt${s.attempts === 1 ? '' : 's'}, last ${s.lastAttemptAt})${s.lastError ? `: ${s.lastError}` : ''}`,
          );
      }
      for (const p of pending)
        console.log(
          `${p.event.id}  ${p.event.at}  ${p.event.name}:${p.event.alias} → v${p.event.to}  (${p.state === 'moved' ? 'not delivered yet' : 'move in progress'})`,
        );
    });

  events
    .command('redeliver [moveId]')
    .description(
      'deliver again: one move (by ID), every failed delivery (--failed), or, with neither, the moves not delivered yet',
    )
    .option('--failed', 'every delivery a sink has not taken')
    .option('--all-sinks', 'with a move ID: send to every sink, also those that took it')
    .action(async (moveId: string | undefined, opts: { failed?: boolean; allSinks?: boolean }) => {
      const c = ctx();
      const store = await eventStore(c);
      const settings = deliverySettings(c.config.events, { signalWithStart: cliSignalWithStart(c) });
      if (settings.sinks.length === 0)
        throw new Error('events redeliver: no sink configured (events.webhooks or events.temporal)');
      let summary: DeliverySummary;
      if (moveId !== undefined)
        summary = await redeliver(store, settings, { id: moveId, allSinks: opts.allSinks === true });
      else if (opts.failed) summary = await redeliver(store, settings, { failed: true });
      else summary = await deliverOutbox(store, settings);
      for (const id of summary.delivered) console.log(`delivered ${id}`);
      for (const f of summary.failed) console.log(`FAILED ${f.id} to ${f.sink}: ${f.error}`);
      if (summary.delivered.length + summary.failed.length === 0) console.log('nothing to deliver');
      if (summary.failed.length > 0) process.exitCode = 1;
    });
}

async function eventStore(c: CliContext) {
  const store = await c.getStore();
  if (!hasOutbox(store)) throw new Error(`events: ${store.uri} keeps no event outbox`);
  return store;
}

/**
 * `npm run what-if -- [--daily-limit basic=100000,premium=500000] [--fee-bps 60] [--until <instant>] [--json]`
 * = `node -r @swc-node/register apps/projector/src/cli/what-if.ts …`: replays every wallet's
 * history through the wallet decider with the changed rule and lists the payments whose outcome or
 * amount would change, with totals. Reads the `wallet` event store (EVENT_STORE_URL or DATABASE_URL).
 */
import { parseRule, whatIf } from '@ledger/projector-service';
import { openCli, option } from './common';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const rule = parseRule(args);
  const untilText = option(args, '--until');
  const until = untilText === undefined ? undefined : new Date(untilText);
  if (until && Number.isNaN(until.getTime())) throw new Error(`--until: not an instant: ${untilText}`);
  const cli = await openCli();
  try {
    const report = await whatIf(await cli.store('wallet'), rule, { until });
    if (args.includes('--json')) {
      console.log(JSON.stringify(report, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2));
      return 0;
    }
    console.log(
      `what-if ${JSON.stringify(rule, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}: ${report.wallets} wallets, ${report.events} events, ${report.reservations} reservations`,
    );
    for (const c of report.changes) {
      console.log(
        `  ${c.reservedAt}  ${c.paymentId.padEnd(36)} ${c.walletId.padEnd(12)} ${c.counterparty.padEnd(24)} ${c.actualOutcome} ${c.actualMinor} -> ${c.whatIfOutcome} ${c.whatIfMinor}`,
      );
    }
    const t = report.totals;
    console.log(
      `changed ${t.changed}; would be refused ${t.wouldBeRefused} (${t.refusedMinor} fen); amount changed ${t.amountChangedCount} (delta ${t.amountDeltaMinor} fen); captured ${t.actualCapturedMinor} -> ${t.whatIfCapturedMinor} fen`,
    );
    return 0;
  } finally {
    await cli.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('what-if failed:', error);
    process.exit(2);
  },
);

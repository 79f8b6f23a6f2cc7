/**
 * `npm run funnel -- [--since <instant>] [--until <instant>] [--users] [--json]`
 * = `node -r @swc-node/register apps/projector/src/cli/funnel.ts …`: registration → card bound →
 * wallet opened → first payment, counts per step (and per user with `--users`).
 */
import { funnelByUser, funnelSummary } from '@ledger/projector-service';
import { openCli, option } from './common';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const range = { since: option(args, '--since'), until: option(args, '--until') };
  const cli = await openCli();
  try {
    const summary = await funnelSummary(cli.dataSource, range);
    const users = args.includes('--users') ? await funnelByUser(cli.dataSource, range) : undefined;
    if (args.includes('--json')) {
      console.log(JSON.stringify({ summary, users }, null, 2));
      return 0;
    }
    const pct = (n: number) => (summary.registered === 0 ? '-' : `${((100 * n) / summary.registered).toFixed(1)}%`);
    console.log(`registered     ${summary.registered}`);
    console.log(`card bound     ${summary.cardBound} (${pct(summary.cardBound)})`);
    console.log(`wallet opened  ${summary.walletOpened} (${pct(summary.walletOpened)})`);
    console.log(`first payment  ${summary.firstPayment} (${pct(summary.firstPayment)})`);
    for (const u of users ?? [])
      console.log(
        `  ${u.userId.padEnd(24)} ${u.registeredAt ?? '-'}  ${u.cardBoundAt ?? '-'}  ${u.walletOpenedAt ?? '-'}  ${u.firstPaymentAt ?? '-'}`,
      );
    return 0;
  } finally {
    await cli.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('funnel failed:', error);
    process.exit(2);
  },
);

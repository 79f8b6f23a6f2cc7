/**
 * `npm run as-of -- <walletId> <iso instant> [--json]`
 * = `node -r @swc-node/register apps/projector/src/cli/as-of.ts …`: a wallet's balance and
 * statement as of that instant, folded from its events.
 */
import { walletAsOf } from '@ledger/projector-service';
import { openCli } from './common';

async function main(): Promise<number> {
  const [walletId, instant] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  if (!walletId || !instant) throw new Error('usage: as-of <walletId> <iso instant>');
  const cli = await openCli();
  try {
    const result = await walletAsOf(await cli.store('wallet'), walletId, new Date(instant));
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify(result, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2));
      return 0;
    }
    console.log(
      `wallet ${walletId} as of ${result.asOf}: ${result.status}, balance ${result.totalMinor} fen, held ${result.heldMinor}, available ${result.availableMinor}`,
    );
    for (const line of result.statement)
      console.log(
        `  ${line.at}  ${line.kind.padEnd(7)} ${String(line.amountMinor).padStart(12)}  ${line.counterparty.padEnd(28)} balance ${line.balanceAfterMinor}  available ${line.availableAfterMinor}  ${line.reference ?? ''}`,
      );
    return 0;
  } finally {
    await cli.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('as-of failed:', error);
    process.exit(2);
  },
);

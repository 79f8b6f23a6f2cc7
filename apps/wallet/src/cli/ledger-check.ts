/**
 * `npm run ledger:check` = `node -r @swc-node/register apps/wallet/src/cli/ledger-check.ts`
 * Reads DATABASE_URL (or EVENT_STORE_URL), schema EVENT_STORE_SCHEMA (default `wallet`); optional
 * LEDGER_CHECK_GRACE_MS. Prints the findings; `--json` prints the whole report. Exits 1 when
 * anything is wrong, 2 when it could not check.
 */
import { createEventStore } from '@ledger/event-store';
import { checkLedger, formatReport } from '@ledger/wallet-service';

async function main(): Promise<number> {
  const url = process.env.EVENT_STORE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL (or EVENT_STORE_URL)');
  const store = createEventStore(url, { schema: process.env.EVENT_STORE_SCHEMA ?? 'wallet', poolSize: 2 });
  try {
    await store.init();
    const report = await checkLedger(store, {
      expiryGraceMs: process.env.LEDGER_CHECK_GRACE_MS ? Number(process.env.LEDGER_CHECK_GRACE_MS) : undefined,
    });
    console.log(process.argv.includes('--json') ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('ledger:check could not run:', error);
    process.exit(2);
  },
);

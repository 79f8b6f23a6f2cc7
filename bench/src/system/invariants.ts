import { Client } from 'pg';
import { paymentsContract } from '@ledger/contracts';
import { createEventStore } from '@ledger/event-store';
import { checkLedger } from '@ledger/wallet-service';

/**
 * What must hold after any load, crash or rebalance, read straight from the event stores of the
 * stack's database: every payment that started has exactly one outcome, no wallet credit or capture
 * was recorded twice, and the double-entry ledger sums to zero.
 */
export interface InvariantReport {
  paymentsStarted: number;
  paymentsWithoutOutcome: number;
  paymentsWithSeveralOutcomes: number;
  duplicatedCredits: number;
  duplicatedCaptures: number;
  ledgerSumMinor: string;
  ledgerProblems: number;
  violations: number;
}

const OUTCOMES = [paymentsContract.EVENT_TYPES.PaymentCompleted, paymentsContract.EVENT_TYPES.PaymentFailed];

export async function checkInvariants(databaseUrl: string): Promise<InvariantReport> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const count = async (sql: string, params: unknown[] = []) => Number((await client.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);
  let report: Omit<InvariantReport, 'ledgerSumMinor' | 'ledgerProblems' | 'violations'>;
  try {
    const perPayment = `SELECT stream, count(*) FILTER (WHERE type = ANY($1)) AS outcomes FROM payments.events WHERE stream LIKE 'payment-%' GROUP BY stream`;
    report = {
      paymentsStarted: await count(`SELECT count(*)::text AS n FROM (${perPayment}) p`, [OUTCOMES]),
      paymentsWithoutOutcome: await count(`SELECT count(*)::text AS n FROM (${perPayment}) p WHERE outcomes = 0`, [OUTCOMES]),
      paymentsWithSeveralOutcomes: await count(`SELECT count(*)::text AS n FROM (${perPayment}) p WHERE outcomes > 1`, [OUTCOMES]),
      duplicatedCredits: await count(
        `SELECT count(*)::text AS n FROM (SELECT data->>'creditId' FROM wallet.events WHERE type = 'wallet.WalletCredited.v1' GROUP BY 1 HAVING count(*) > 1) d`,
      ),
      duplicatedCaptures: await count(
        `SELECT count(*)::text AS n FROM (SELECT data->>'holdId' FROM wallet.events WHERE type = 'wallet.HoldCaptured.v1' GROUP BY 1 HAVING count(*) > 1) d`,
      ),
    };
  } finally {
    await client.end();
  }
  const store = createEventStore(databaseUrl, { schema: 'wallet', poolSize: 2 });
  try {
    const ledger = await checkLedger(store);
    const ledgerProblems =
      ledger.unbalancedTransactions.length +
      ledger.balanceMismatches.length +
      ledger.holdsOpenPastExpiry.length +
      ledger.brokenStreams.length;
    const violations =
      report.paymentsWithoutOutcome +
      report.paymentsWithSeveralOutcomes +
      report.duplicatedCredits +
      report.duplicatedCaptures +
      ledgerProblems +
      (ledger.sumMinor === '0' ? 0 : 1);
    return { ...report, ledgerSumMinor: ledger.sumMinor, ledgerProblems, violations };
  } finally {
    await store.close();
  }
}

/** Waits until no started payment is without an outcome (the services finish what they started), bounded. */
export async function waitForQuiescence(databaseUrl: string, timeoutMs: number, say: (line: string) => void): Promise<InvariantReport> {
  const deadline = Date.now() + timeoutMs;
  let last = await checkInvariants(databaseUrl);
  while (last.paymentsWithoutOutcome > 0 && Date.now() < deadline) {
    say(`  waiting for ${last.paymentsWithoutOutcome} payments to reach their outcome`);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    last = await checkInvariants(databaseUrl);
  }
  return last;
}

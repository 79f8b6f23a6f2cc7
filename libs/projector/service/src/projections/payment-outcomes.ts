/**
 * `payments` + `payment_outcomes_daily`: every payment with its payer, counterparty and outcome, and outcomes and failure
 * reasons per Asia/Shanghai day and kind, from the payments service's events (schema `payments`,
 * streams `payment-<id>`). A payment ends in `payments.PaymentCompleted.v1` or
 * `payments.PaymentFailed.v1` (with `failure.code`); `outcome_count` keeps how many it got, so the
 * "exactly one outcome" invariant can be checked on the read model.
 */
import type { RecordedEvent } from '@ledger/event-store';
import { shownCounterpartyOf } from '@ledger/payments-domain';
import { shanghaiDay } from '@ledger/wallet-domain';
import { minor, tableName, text, type Projection, type Sql, type TableNames } from './projection';

export const PAYMENT_INITIATED = 'payments.PaymentInitiated.v1';
export const PAYMENT_COMPLETED = 'payments.PaymentCompleted.v1';
export const PAYMENT_FAILED = 'payments.PaymentFailed.v1';

interface PaymentDelta {
  kind: string | null;
  userId: string | null;
  counterparty: string | null;
  amountMinor: string | null;
  initiatedAt: string | null;
  status: string | null;
  failureCode: string | null;
  outcomeAt: string | null;
  outcomes: number;
}

interface DailyDelta {
  day: string;
  kind: string;
  outcome: string;
  failureCode: string;
  payments: number;
  amountMinor: bigint;
}

export const paymentOutcomesProjection: Projection = {
  name: 'payment_outcomes',
  source: 'payments',
  category: 'payment',
  description: 'every payment with its outcome; outcomes and failure reasons per day and kind',
  tables: [
    { name: 'payments', order: 'payment_id COLLATE "C"' },
    { name: 'payment_outcomes_daily', order: 'day, kind COLLATE "C", outcome COLLATE "C", failure_code COLLATE "C"' },
  ],
  async applyBatch(sql: Sql, events: readonly RecordedEvent[], tables: TableNames): Promise<void> {
    const payments = new Map<string, PaymentDelta>();
    const daily = new Map<string, DailyDelta>();
    const paymentOf = (paymentId: string): PaymentDelta => {
      let delta = payments.get(paymentId);
      if (!delta) {
        delta = {
          kind: null,
          userId: null,
          counterparty: null,
          amountMinor: null,
          initiatedAt: null,
          status: null,
          failureCode: null,
          outcomeAt: null,
          outcomes: 0,
        };
        payments.set(paymentId, delta);
      }
      return delta;
    };
    const count = (day: string, kind: string, outcome: string, failureCode: string, amountMinor: bigint) => {
      const key = JSON.stringify([day, kind, outcome, failureCode]);
      const entry = daily.get(key) ?? { day, kind, outcome, failureCode, payments: 0, amountMinor: 0n };
      entry.payments += 1;
      entry.amountMinor += amountMinor;
      daily.set(key, entry);
    };
    for (const event of events) {
      const where = `${event.stream}@${event.revision}`;
      const data = event.data;
      if (event.type === PAYMENT_INITIATED) {
        const request = data.request as Record<string, unknown>;
        const delta = paymentOf(text(request.paymentId, where));
        delta.kind = text(request.kind, where);
        // A refund's payer is the merchant; the wallet it credits shows the merchant (the wallet event's counterparty).
        delta.userId = typeof request.userId === 'string' ? request.userId : null;
        delta.counterparty = shownCounterpartyOf(request);
        delta.amountMinor = minor(request.amountMinor, where).toString();
        delta.initiatedAt = text(data.initiatedAt, where);
      } else if (event.type === PAYMENT_COMPLETED || event.type === PAYMENT_FAILED) {
        const completed = event.type === PAYMENT_COMPLETED;
        const delta = paymentOf(text(data.paymentId, where));
        const at = text(completed ? data.completedAt : data.failedAt, where);
        const kind = text(data.kind, where);
        const failureCode = completed ? '' : text((data.failure as Record<string, unknown> | undefined)?.code, where);
        delta.kind = kind;
        delta.status = completed ? 'completed' : 'failed';
        delta.failureCode = completed ? null : failureCode;
        delta.outcomeAt = at;
        delta.outcomes += 1;
        count(shanghaiDay(at), kind, delta.status, failureCode, completed ? minor(data.amountMinor, where) : 0n);
      }
    }
    if (payments.size > 0) {
      const rows = [...payments.entries()];
      await sql(
        `INSERT INTO ${tableName(tables, 'payments')} AS t (payment_id, kind, amount_minor, initiated_at, status, failure_code, outcome_at, outcome_count,
           user_id, counterparty)
         SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::timestamptz[], $5::text[], $6::text[], $7::timestamptz[], $8::int[],
           $9::text[], $10::text[])
         ON CONFLICT (payment_id) DO UPDATE SET
           kind = COALESCE(excluded.kind, t.kind),
           user_id = COALESCE(excluded.user_id, t.user_id),
           counterparty = COALESCE(excluded.counterparty, t.counterparty),
           amount_minor = COALESCE(excluded.amount_minor, t.amount_minor),
           initiated_at = COALESCE(excluded.initiated_at, t.initiated_at),
           status = CASE WHEN excluded.outcome_count > 0 THEN excluded.status ELSE t.status END,
           failure_code = CASE WHEN excluded.outcome_count > 0 THEN excluded.failure_code ELSE t.failure_code END,
           outcome_at = CASE WHEN excluded.outcome_count > 0 THEN excluded.outcome_at ELSE t.outcome_at END,
           outcome_count = t.outcome_count + excluded.outcome_count`,
        [
          rows.map(([id]) => id),
          rows.map(([, d]) => d.kind),
          rows.map(([, d]) => d.amountMinor),
          rows.map(([, d]) => d.initiatedAt),
          rows.map(([, d]) => d.status ?? 'pending'),
          rows.map(([, d]) => d.failureCode),
          rows.map(([, d]) => d.outcomeAt),
          rows.map(([, d]) => d.outcomes),
          rows.map(([, d]) => d.userId),
          rows.map(([, d]) => d.counterparty),
        ],
      );
    }
    if (daily.size > 0) {
      const rows = [...daily.values()];
      await sql(
        `INSERT INTO ${tableName(tables, 'payment_outcomes_daily')} AS t (day, kind, outcome, failure_code, payments, amount_minor)
         SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::numeric[])
         ON CONFLICT (day, kind, outcome, failure_code) DO UPDATE SET
           payments = t.payments + excluded.payments,
           amount_minor = t.amount_minor + excluded.amount_minor`,
        [
          rows.map((r) => r.day),
          rows.map((r) => r.kind),
          rows.map((r) => r.outcome),
          rows.map((r) => r.failureCode),
          rows.map((r) => r.payments),
          rows.map((r) => r.amountMinor.toString()),
        ],
      );
    }
  },
};

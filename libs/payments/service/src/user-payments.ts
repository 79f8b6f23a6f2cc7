/**
 * A user's payments: the read model behind `payments.ListUserPayments.v1`, in PostgreSQL
 * (`payments_read.user_payments`), fed by a catch-up subscription on the event store's `payment`
 * category.
 *
 * Each batch of events and the subscription's checkpoint are committed in one transaction
 * (`startTransactionalProjection`), so after a crash the rows and the checkpoint never disagree.
 * The checkpoint lives next to the rows (`payments_read.checkpoints`), not in the event store, which
 * may be KurrentDB. Every change is idempotent (insert-if-absent, then updates keyed by the payment),
 * so replaying from zero (drop the schema) rebuilds the same rows. The model is eventually
 * consistent; `GetPayment` reads the payment's own stream and is always current.
 */
import {
  PostgresCheckpointStore,
  followerPacing,
  applyMigrations,
  startTransactionalProjection,
  type EventStore,
  type RecordedEvent,
  type Subscription,
} from '@ledger/event-store';
import type { Pool, PoolClient } from 'pg';
import { decodePageCursor, encodePageCursor } from '@ledger/util';
import { shownCounterpartyOf } from '@ledger/payments-domain';

export const READ_SCHEMA = 'payments_read';
export const USER_PAYMENTS_SUBSCRIPTION = 'payments-user-payments';
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export type UserPaymentStatus = 'pending' | 'completed' | 'failed';

export interface UserPaymentView {
  paymentId: string;
  userId: string;
  kind: string;
  amountMinor: string;
  counterparty: string;
  status: UserPaymentStatus;
  failureCode?: string;
  createdAt: string;
  updatedAt: string;
}

export interface UserPaymentsPage {
  userId: string;
  payments: UserPaymentView[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

type Data = Record<string, unknown>;
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** What one batch does to one payment's row after the row exists: the last value of each field it sets. */
interface RowChange {
  userId: string | null;
  counterparty: string | null;
  status: 'completed' | 'failed' | null;
  failureCode: string | null;
  updatedAt: string;
}

/**
 * Writes a batch of payment events with at most two statements: the rows of the payments started in
 * it, then every row change folded per payment in event order (the same rows as applying the events
 * one by one, with one round trip per table instead of one per event).
 */
export async function writeUserPayments(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
  const started: Array<{
    paymentId: string;
    userId: string | null;
    kind: string;
    amountMinor: string;
    counterparty: string;
    createdAt: string;
  }> = [];
  const changes = new Map<string, RowChange>();
  const change = (paymentId: string, updatedAt: string): RowChange => {
    const current = changes.get(paymentId) ?? { userId: null, counterparty: null, status: null, failureCode: null, updatedAt };
    current.updatedAt = updatedAt;
    changes.set(paymentId, current);
    return current;
  };
  for (const event of events) {
    const data = event.data as Data;
    const at = event.recordedAt.toISOString();
    switch (event.type) {
      case 'payments.PaymentInitiated.v1': {
        const request = (data.request ?? {}) as Data;
        // A refund belongs to the original payment's user: known once the claim is granted.
        const userId = request.kind === 'refund' ? null : text(request.userId);
        started.push({
          paymentId: text(request.paymentId),
          userId,
          kind: text(request.kind),
          amountMinor: String(request.amountMinor),
          counterparty: shownCounterpartyOf(request),
          createdAt: text(data.initiatedAt) || at,
        });
        break;
      }
      case 'payments.RefundClaimGranted.v1': {
        const row = change(text(data.paymentId), at);
        row.userId = text(data.userId);
        row.counterparty = `merchant:${text(data.merchantId)}`;
        break;
      }
      case 'payments.PaymentCompleted.v1': {
        const row = change(text(data.paymentId), text(data.completedAt) || at);
        row.status = 'completed';
        row.failureCode = null;
        break;
      }
      case 'payments.PaymentFailed.v1': {
        const row = change(text(data.paymentId), text(data.failedAt) || at);
        row.status = 'failed';
        row.failureCode = text((data.failure as Data | undefined)?.code);
        break;
      }
      default:
        break; // steps in between do not change what the list shows
    }
  }
  if (started.length > 0) {
    await client.query(
      `INSERT INTO ${READ_SCHEMA}.user_payments (payment_id, user_id, kind, amount_minor, counterparty, status, created_at, updated_at)
       SELECT s.payment_id, s.user_id, s.kind, s.amount_minor, s.counterparty, 'pending', s.created_at, s.created_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::text[], $6::timestamptz[]) AS s(payment_id, user_id, kind, amount_minor, counterparty, created_at)
       ON CONFLICT (payment_id) DO NOTHING`,
      [
        started.map((r) => r.paymentId),
        started.map((r) => r.userId),
        started.map((r) => r.kind),
        started.map((r) => r.amountMinor),
        started.map((r) => r.counterparty),
        started.map((r) => r.createdAt),
      ],
    );
  }
  if (changes.size > 0) {
    const rows = [...changes];
    await client.query(
      `UPDATE ${READ_SCHEMA}.user_payments AS t
          SET user_id = COALESCE(c.user_id, t.user_id),
              counterparty = COALESCE(c.counterparty, t.counterparty),
              status = COALESCE(c.status, t.status),
              failure_code = CASE WHEN c.status IS NULL THEN t.failure_code ELSE c.failure_code END,
              updated_at = c.updated_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS c(payment_id, user_id, counterparty, status, failure_code, updated_at)
        WHERE t.payment_id = c.payment_id`,
      [
        rows.map(([id]) => id),
        rows.map(([, r]) => r.userId),
        rows.map(([, r]) => r.counterparty),
        rows.map(([, r]) => r.status),
        rows.map(([, r]) => r.failureCode),
        rows.map(([, r]) => r.updatedAt),
      ],
    );
  }
}

interface Row {
  payment_id: string;
  user_id: string;
  kind: string;
  amount_minor: string;
  counterparty: string;
  status: UserPaymentStatus;
  failure_code: string | null;
  created_at: Date;
  updated_at: Date;
}

export class UserPaymentsReadModel {
  readonly checkpoints: PostgresCheckpointStore;
  private subscription?: Subscription;
  private running = false;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly options: { pollIntervalMs?: number; log: (message: string) => void },
  ) {
    this.checkpoints = new PostgresCheckpointStore(pool, READ_SCHEMA);
  }

  async migrate(): Promise<void> {
    await applyMigrations(this.pool, {
      component: 'payments-user-payments',
      schema: READ_SCHEMA,
      migrations: [
        {
          version: 1,
          description: "users' payments, by user and by counterparty, and the projection's checkpoint",
          up: async (client) => {
            await this.checkpoints.ensureTable(client);
            await client.query(`CREATE TABLE IF NOT EXISTS ${READ_SCHEMA}.user_payments (
        payment_id text PRIMARY KEY,
        user_id text,
        kind text NOT NULL,
        amount_minor numeric(20, 0) NOT NULL,
        counterparty text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
        failure_code text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL)`);
            await client.query(
              `CREATE INDEX IF NOT EXISTS user_payments_by_user ON ${READ_SCHEMA}.user_payments (user_id, created_at DESC, payment_id DESC)`,
            );
            // A merchant's payments and refunds (counterparty merchant:<id>).
            await client.query(
              `CREATE INDEX IF NOT EXISTS user_payments_by_counterparty ON ${READ_SCHEMA}.user_payments (counterparty, created_at DESC, payment_id DESC)`,
            );
          },
        },
      ],
    });
  }

  /** Follows the `payment` category; restarted after a failure while running. */
  start(): void {
    this.running = true;
    this.subscription = startTransactionalProjection({
      store: this.store,
      pool: this.pool,
      name: USER_PAYMENTS_SUBSCRIPTION,
      category: 'payment',
      checkpoints: this.checkpoints,
      batchSize: 200,
      // A list the user reloads: it may trail the payment's answer by a moment.
      ...followerPacing(this.options.pollIntervalMs),
      applyBatch: writeUserPayments,
      onError: (error) => {
        this.options.log(`user payments projection failed, restarting in 1 s: ${String(error)}`);
        if (this.running) setTimeout(() => this.running && this.start(), 1_000).unref();
      },
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.subscription?.stop();
  }

  /** Newest first; `before` is the `nextCursor` of the previous page. Throws on a malformed cursor. */
  async list(userId: string, limit = DEFAULT_PAGE_SIZE, before?: string): Promise<UserPaymentsPage> {
    const { rows, pageSize } = await this.page('user_id', userId, limit, before);
    const page = rows.slice(0, pageSize).map(viewOf);
    const last = page[page.length - 1];
    return rows.length > pageSize && last
      ? { userId, payments: page, nextCursor: encodePageCursor(last.createdAt, last.paymentId) }
      : { userId, payments: page };
  }

  /**
   * A merchant's payments and its refunds, newest first: the rows whose counterparty is the merchant
   * (a refund's is once its claim on the original payment is granted). Throws on a malformed cursor.
   */
  async listForMerchant(merchantId: string, limit = DEFAULT_PAGE_SIZE, before?: string): Promise<MerchantPaymentsPage> {
    const { rows, pageSize } = await this.page('counterparty', `merchant:${merchantId}`, limit, before);
    const page = rows.slice(0, pageSize).map((row) => {
      const { userId: _user, counterparty: _counterparty, ...view } = viewOf(row);
      return view;
    });
    const last = page[page.length - 1];
    return rows.length > pageSize && last
      ? { merchantId, payments: page, nextCursor: encodePageCursor(last.createdAt, last.paymentId) }
      : { merchantId, payments: page };
  }

  /** One page of rows by user or by counterparty (each has its index), newest first. */
  private async page(column: 'user_id' | 'counterparty', value: string, limit: number, before: string | undefined) {
    const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.trunc(limit)));
    const after = before === undefined ? undefined : decodePageCursor(before);
    const values: unknown[] = [value, pageSize + 1];
    let where = `${column} = $1`;
    if (after) {
      values.push(after.at, after.id);
      where += ' AND (created_at, payment_id) < ($3::timestamptz, $4)';
    }
    const { rows } = await this.pool.query<Row>(
      `SELECT payment_id, user_id, kind, amount_minor::text AS amount_minor, counterparty, status, failure_code, created_at, updated_at
       FROM ${READ_SCHEMA}.user_payments WHERE ${where} ORDER BY created_at DESC, payment_id DESC LIMIT $2`,
      values,
    );
    return { rows, pageSize };
  }
}

/** A merchant's list: its payments and its refunds. */
export interface MerchantPaymentsPage {
  merchantId: string;
  payments: Array<Omit<UserPaymentView, 'userId' | 'counterparty'>>;
  nextCursor?: string;
}

function viewOf(row: Row): UserPaymentView {
  const view: UserPaymentView = {
    paymentId: row.payment_id,
    userId: row.user_id,
    kind: row.kind,
    amountMinor: row.amount_minor,
    counterparty: row.counterparty,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
  if (row.failure_code !== null) view.failureCode = row.failure_code;
  return view;
}

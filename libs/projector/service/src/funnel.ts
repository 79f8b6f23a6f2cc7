/**
 * The registration → card bound → wallet opened → first payment funnel, per user, joined at query
 * time from the read models of four sources (identity `identity_users`, cards `user_cards`, wallet
 * `wallet_balances`, and the first debit of `statement_lines`). A join, not a table or a view: each
 * source keeps its own checkpoint and replay, and a view would follow the old table on a swap.
 * "First payment" is the first captured debit of the user's wallet (a completed payment).
 */
import type { DataSource } from 'typeorm';

export interface FunnelUser {
  userId: string;
  registeredAt: string | null;
  cardBoundAt: string | null;
  walletOpenedAt: string | null;
  firstPaymentAt: string | null;
}

export interface FunnelSummary {
  registered: number;
  cardBound: number;
  walletOpened: number;
  firstPayment: number;
}

const FUNNEL_SQL = `
  WITH wallets AS (
    SELECT user_id, min(opened_at) AS opened_at FROM analytics.wallet_balances WHERE user_id IS NOT NULL GROUP BY user_id),
  payments AS (
    SELECT user_id, min(occurred_at) AS first_at FROM analytics.statement_lines WHERE kind = 'debit' AND user_id IS NOT NULL GROUP BY user_id),
  users AS (
    SELECT user_id FROM analytics.identity_users UNION SELECT user_id FROM analytics.user_cards UNION SELECT user_id FROM wallets)
  SELECT u.user_id, i.registered_at, c.first_bound_at AS card_bound_at, w.opened_at AS wallet_opened_at, p.first_at AS first_payment_at
    FROM users u
    LEFT JOIN analytics.identity_users i ON i.user_id = u.user_id
    LEFT JOIN analytics.user_cards c ON c.user_id = u.user_id
    LEFT JOIN wallets w ON w.user_id = u.user_id
    LEFT JOIN payments p ON p.user_id = u.user_id`;

const iso = (value: unknown): string | null =>
  value instanceof Date ? value.toISOString() : value === null || value === undefined ? null : String(value);

/** Every user seen by any step, with the instant of each step reached (null: not yet). `since`: registered at or after. */
export async function funnelByUser(dataSource: DataSource, options: { since?: string; until?: string } = {}): Promise<FunnelUser[]> {
  const rows = (await dataSource.query(
    `SELECT * FROM (${FUNNEL_SQL}) f
      WHERE ($1::timestamptz IS NULL OR f.registered_at >= $1) AND ($2::timestamptz IS NULL OR f.registered_at < $2)
      ORDER BY f.registered_at NULLS LAST, f.user_id COLLATE "C"`,
    [options.since ?? null, options.until ?? null],
  )) as Array<Record<string, unknown>>;
  return rows.map((row) => ({
    userId: row.user_id as string,
    registeredAt: iso(row.registered_at),
    cardBoundAt: iso(row.card_bound_at),
    walletOpenedAt: iso(row.wallet_opened_at),
    firstPaymentAt: iso(row.first_payment_at),
  }));
}

/**
 * Counts per step among registered users (a cohort: registered in [since, until) when given). A
 * later step counts only when the earlier ones were reached, as a funnel does.
 */
export async function funnelSummary(dataSource: DataSource, options: { since?: string; until?: string } = {}): Promise<FunnelSummary> {
  const rows = (await dataSource.query(
    `SELECT count(*)::int AS registered,
            count(*) FILTER (WHERE card_bound_at IS NOT NULL)::int AS card_bound,
            count(*) FILTER (WHERE card_bound_at IS NOT NULL AND wallet_opened_at IS NOT NULL)::int AS wallet_opened,
            count(*) FILTER (WHERE card_bound_at IS NOT NULL AND wallet_opened_at IS NOT NULL AND first_payment_at IS NOT NULL)::int AS first_payment
       FROM (${FUNNEL_SQL}) f
      WHERE f.registered_at IS NOT NULL AND ($1::timestamptz IS NULL OR f.registered_at >= $1) AND ($2::timestamptz IS NULL OR f.registered_at < $2)`,
    [options.since ?? null, options.until ?? null],
  )) as Array<{ registered: number; card_bound: number; wallet_opened: number; first_payment: number }>;
  const row = rows[0]!;
  return { registered: row.registered, cardBound: row.card_bound, walletOpened: row.wallet_opened, firstPayment: row.first_payment };
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The first read models: wallet balances, journal + trial balance, payment outcomes, checkpoints. */
export class CreateAnalytics1763780000000 implements MigrationInterface {
  name = 'CreateAnalytics1763780000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE SCHEMA IF NOT EXISTS analytics`);
    await runner.query(`CREATE TABLE analytics.wallet_balances (
      wallet_id text PRIMARY KEY,
      user_id text,
      tier text,
      status text,
      balance_minor numeric(38,0) NOT NULL,
      held_minor numeric(38,0) NOT NULL,
      opened_at timestamptz,
      last_event_at timestamptz NOT NULL,
      event_count bigint NOT NULL)`);
    await runner.query(`CREATE TABLE analytics.journal_entries (
      transaction_id text NOT NULL,
      leg int NOT NULL,
      account text NOT NULL,
      amount_minor numeric(38,0) NOT NULL,
      event_id text NOT NULL,
      event_type text NOT NULL,
      stream text NOT NULL,
      occurred_at timestamptz NOT NULL,
      PRIMARY KEY (transaction_id, leg))`);
    await runner.query(`CREATE INDEX journal_entries_account_idx ON analytics.journal_entries (account, occurred_at)`);
    await runner.query(`CREATE TABLE analytics.trial_balance (
      account text PRIMARY KEY,
      balance_minor numeric(38,0) NOT NULL,
      inflow_minor numeric(38,0) NOT NULL,
      outflow_minor numeric(38,0) NOT NULL,
      postings bigint NOT NULL)`);
    await runner.query(`CREATE TABLE analytics.payments (
      payment_id text PRIMARY KEY,
      kind text,
      amount_minor numeric(38,0),
      initiated_at timestamptz,
      status text NOT NULL,
      failure_code text,
      outcome_at timestamptz,
      outcome_count int NOT NULL)`);
    await runner.query(`CREATE TABLE analytics.payment_outcomes_daily (
      day date NOT NULL,
      kind text NOT NULL,
      outcome text NOT NULL,
      failure_code text NOT NULL,
      payments bigint NOT NULL,
      amount_minor numeric(38,0) NOT NULL,
      PRIMARY KEY (day, kind, outcome, failure_code))`);
    await runner.query(`CREATE TABLE analytics.projector_checkpoints (
      name text PRIMARY KEY,
      cursor text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'projector_checkpoints',
      'payment_outcomes_daily',
      'payments',
      'trial_balance',
      'journal_entries',
      'wallet_balances',
    ]) {
      await runner.query(`DROP TABLE IF EXISTS analytics.${table}`);
    }
  }
}

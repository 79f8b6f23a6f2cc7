import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-user statement, merchant daily volume, card bindings (funnel), identity users, risk alerts and freezes. */
export class AnalystsReadModels1763790000000 implements MigrationInterface {
  name = 'AnalystsReadModels1763790000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE analytics.statement_lines (
      wallet_id text NOT NULL,
      seq bigint NOT NULL,
      user_id text,
      occurred_at timestamptz NOT NULL,
      direction text NOT NULL,
      counterparty text NOT NULL,
      amount_minor numeric(38,0) NOT NULL,
      balance_after_minor numeric(38,0) NOT NULL,
      transaction_id text NOT NULL,
      hold_id text,
      reference text,
      PRIMARY KEY (wallet_id, seq))`);
    await runner.query(`CREATE INDEX statement_lines_user_idx ON analytics.statement_lines (user_id, occurred_at)`);
    await runner.query(`CREATE TABLE analytics.statement_holds (
      wallet_id text NOT NULL,
      hold_id text NOT NULL,
      reference text NOT NULL,
      counterparty text NOT NULL,
      amount_minor numeric(38,0) NOT NULL,
      reserved_at timestamptz NOT NULL,
      PRIMARY KEY (wallet_id, hold_id))`);
    await runner.query(`CREATE TABLE analytics.statement_wallets (
      wallet_id text PRIMARY KEY,
      user_id text,
      balance_minor numeric(38,0) NOT NULL,
      lines bigint NOT NULL)`);
    await runner.query(`CREATE TABLE analytics.merchant_daily_volume (
      day date NOT NULL,
      merchant_id text NOT NULL,
      payments bigint NOT NULL,
      gross_minor numeric(38,0) NOT NULL,
      refunds bigint NOT NULL,
      refunded_minor numeric(38,0) NOT NULL,
      net_minor numeric(38,0) NOT NULL,
      PRIMARY KEY (day, merchant_id))`);
    await runner.query(`CREATE TABLE analytics.user_cards (
      user_id text PRIMARY KEY,
      first_bound_at timestamptz,
      cards_bound int NOT NULL,
      cards_unbound int NOT NULL)`);
    await runner.query(`CREATE TABLE analytics.identity_users (
      user_id text PRIMARY KEY,
      registered_at timestamptz,
      identity_level text,
      status text NOT NULL,
      status_since timestamptz,
      freezes int NOT NULL,
      risk_alerts int NOT NULL)`);
    await runner.query(`CREATE TABLE analytics.risk_alerts (
      event_id text PRIMARY KEY,
      user_id text NOT NULL,
      occurred_at timestamptz NOT NULL,
      signal text NOT NULL,
      severity text NOT NULL,
      description text NOT NULL,
      source text NOT NULL)`);
    await runner.query(`CREATE INDEX risk_alerts_user_idx ON analytics.risk_alerts (user_id, occurred_at)`);
    await runner.query(`CREATE TABLE analytics.account_freezes (
      event_id text PRIMARY KEY,
      user_id text NOT NULL,
      occurred_at timestamptz NOT NULL,
      action text NOT NULL,
      actor_kind text NOT NULL,
      actor_ref text,
      reason text)`);
    await runner.query(`CREATE INDEX account_freezes_user_idx ON analytics.account_freezes (user_id, occurred_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'account_freezes',
      'risk_alerts',
      'identity_users',
      'user_cards',
      'merchant_daily_volume',
      'statement_wallets',
      'statement_holds',
      'statement_lines',
    ]) {
      await runner.query(`DROP TABLE IF EXISTS analytics.${table}`);
    }
  }
}

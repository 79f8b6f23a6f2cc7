import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The live invariant checks: the state of every alert (so a restarted projector neither raises an
 * alert again nor forgets one), which doubles as the outbox of `ops.alerts` (`published_at` null:
 * not yet acknowledged by the broker); and partial indexes that let the payment checks read only the
 * payments in flight or odd ones instead of every payment ever made.
 */
export class InvariantAlerts1763830000000 implements MigrationInterface {
  name = 'InvariantAlerts1763830000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE analytics.invariant_alerts (
      key text PRIMARY KEY,
      invariant text NOT NULL,
      subject text NOT NULL,
      state text NOT NULL CHECK (state IN ('raised', 'cleared')),
      severity text NOT NULL,
      summary text NOT NULL,
      details jsonb NOT NULL,
      details_total int NOT NULL,
      first_seen_at timestamptz NOT NULL,
      changed_at timestamptz NOT NULL,
      checked_at timestamptz NOT NULL,
      event_id text NOT NULL,
      published_at timestamptz)`);
    await runner.query(
      `CREATE INDEX invariant_alerts_unpublished_idx ON analytics.invariant_alerts (changed_at) WHERE published_at IS NULL`,
    );
    // Pending payments are the few in flight; several outcomes or an outcome without a start should be none.
    await runner.query(`CREATE INDEX payments_pending_idx ON analytics.payments (initiated_at) WHERE status = 'pending'`);
    await runner.query(
      `CREATE INDEX payments_odd_outcomes_idx ON analytics.payments (payment_id) WHERE outcome_count > 1 OR initiated_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    // IF EXISTS: a replay swaps in tables whose copied indexes carry generated names.
    await runner.query(`DROP INDEX IF EXISTS analytics.payments_odd_outcomes_idx`);
    await runner.query(`DROP INDEX IF EXISTS analytics.payments_pending_idx`);
    await runner.query(`DROP TABLE analytics.invariant_alerts`);
  }
}

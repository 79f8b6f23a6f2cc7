import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every hold with its expiry and how it closed: the read model of the "no hold open past expiry" invariant. */
export class WalletHolds1763800000000 implements MigrationInterface {
  name = 'WalletHolds1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE analytics.wallet_holds (
      wallet_id text NOT NULL,
      hold_id text NOT NULL,
      reference text NOT NULL,
      amount_minor numeric(38,0) NOT NULL,
      reserved_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      status text NOT NULL,
      closed_at timestamptz,
      PRIMARY KEY (wallet_id, hold_id))`);
    // The invariant reads only the open ones, oldest expiry first.
    await runner.query(`CREATE INDEX wallet_holds_open_idx ON analytics.wallet_holds (expires_at) WHERE status = 'open'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE analytics.wallet_holds`);
  }
}

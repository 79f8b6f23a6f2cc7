import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The statement as users see it: holds and their release or expiry become entries beside credits
 * and debits, each with the held amount and the available balance after it and the payment that made
 * it; a payment row keeps its payer and counterparty, a user row the masked phone, so a statement
 * shows who was on the other side. The three read models are emptied and their checkpoints removed:
 * the projector rebuilds them from the stores on start (read models are replayable by design).
 */
export class StatementEntries1763820000000 implements MigrationInterface {
  name = 'StatementEntries1763820000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`TRUNCATE analytics.statement_lines, analytics.statement_holds, analytics.statement_wallets,
      analytics.payments, analytics.payment_outcomes_daily, analytics.identity_users, analytics.risk_alerts, analytics.account_freezes`);
    await runner.query(`DELETE FROM analytics.projector_checkpoints WHERE name IN ('statements', 'payment_outcomes', 'risk')`);
    await runner.query(`ALTER TABLE analytics.statement_lines RENAME COLUMN direction TO kind`);
    await runner.query(`ALTER TABLE analytics.statement_lines
      ALTER COLUMN transaction_id DROP NOT NULL,
      ADD COLUMN held_minor numeric(38,0) NOT NULL,
      ADD COLUMN available_after_minor numeric(38,0) NOT NULL,
      ADD COLUMN payment_id text`);
    await runner.query(`ALTER TABLE analytics.statement_wallets ADD COLUMN held_minor numeric(38,0) NOT NULL`);
    // A user's statement starts from their wallet.
    await runner.query(`CREATE INDEX statement_wallets_user_idx ON analytics.statement_wallets (user_id)`);
    await runner.query(`ALTER TABLE analytics.payments ADD COLUMN user_id text, ADD COLUMN counterparty text`);
    await runner.query(`ALTER TABLE analytics.identity_users ADD COLUMN masked_phone text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE analytics.identity_users DROP COLUMN masked_phone`);
    await runner.query(`ALTER TABLE analytics.payments DROP COLUMN user_id, DROP COLUMN counterparty`);
    await runner.query(`DROP INDEX analytics.statement_wallets_user_idx`);
    await runner.query(`ALTER TABLE analytics.statement_wallets DROP COLUMN held_minor`);
    await runner.query(`DELETE FROM analytics.statement_lines WHERE kind NOT IN ('credit', 'debit')`);
    await runner.query(`ALTER TABLE analytics.statement_lines DROP COLUMN held_minor, DROP COLUMN available_after_minor, DROP COLUMN payment_id,
      ALTER COLUMN transaction_id SET NOT NULL`);
    await runner.query(`ALTER TABLE analytics.statement_lines RENAME COLUMN kind TO direction`);
  }
}

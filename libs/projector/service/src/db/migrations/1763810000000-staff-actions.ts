import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What each member of staff did, one table per source store: the supervisors' trail. */
export class StaffActions1763810000000 implements MigrationInterface {
  name = 'StaffActions1763810000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const source of ['identity', 'payments']) {
      await runner.query(`CREATE TABLE analytics.staff_actions_${source} (
        event_id text PRIMARY KEY,
        seq bigint NOT NULL,
        agent_id text NOT NULL,
        role text NOT NULL,
        action text NOT NULL,
        stream text NOT NULL,
        subject_user_id text,
        occurred_at timestamptz NOT NULL,
        command_id text)`);
      // A supervisor lists one agent's actions, newest first.
      await runner.query(
        `CREATE INDEX staff_actions_${source}_agent_idx ON analytics.staff_actions_${source} (agent_id, occurred_at DESC, seq DESC)`,
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const source of ['identity', 'payments']) await runner.query(`DROP TABLE analytics.staff_actions_${source}`);
  }
}

import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { applyMigrations, type MigrationSet } from './migrations';
import { LATEST_SCHEMA_VERSION, migrate } from './schema';

describe('the one migration mechanism (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('migrations');
    pool = new Pool({ connectionString: db.url, max: 6 });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const set = (component: string, count: number): MigrationSet => ({
    component,
    schema: 'mig',
    migrations: Array.from({ length: count }, (_, index) => ({
      version: index + 1,
      description: `step ${index + 1}`,
      up: `CREATE TABLE mig.${component}_${index + 1} (id int)`,
    })),
  });
  const recorded = async () =>
    (await pool.query<{ component: string; version: number }>('SELECT component, version FROM mig.migrations ORDER BY component, version'))
      .rows;

  it('applies each migration once, in order, per component; a later call applies only the new ones', async () => {
    expect(await applyMigrations(pool, set('alpha', 2))).toEqual([1, 2]);
    expect(await applyMigrations(pool, set('alpha', 2))).toEqual([]);
    expect(await applyMigrations(pool, set('beta', 1))).toEqual([1]);
    expect(await applyMigrations(pool, set('alpha', 3))).toEqual([3]);
    expect(await recorded()).toEqual([
      { component: 'alpha', version: 1 },
      { component: 'alpha', version: 2 },
      { component: 'alpha', version: 3 },
      { component: 'beta', version: 1 },
    ]);
  });

  it('lets instances starting at once apply a set exactly once', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => applyMigrations(pool, set('gamma', 2))));
    expect(results.filter((applied) => applied.length > 0)).toEqual([[1, 2]]);
  });

  it('rolls a failing migration back with the ones before it in the same call, and records none of them', async () => {
    const failing: MigrationSet = {
      component: 'delta',
      schema: 'mig',
      migrations: [
        { version: 1, description: 'fine', up: 'CREATE TABLE mig.delta_ok (id int)' },
        { version: 2, description: 'broken', up: 'CREATE TABLE mig.delta_ok (id int)' },
      ],
    };
    await expect(applyMigrations(pool, failing)).rejects.toThrow(/already exists/);
    expect((await recorded()).filter((row) => row.component === 'delta')).toEqual([]);
    expect((await pool.query(`SELECT to_regclass('mig.delta_ok') AS t`)).rows[0].t).toBeNull();
  });

  it('refuses gaps in the numbering', async () => {
    await expect(
      applyMigrations(pool, { component: 'eps', schema: 'mig', migrations: [{ version: 2, description: 'x', up: 'SELECT 1' }] }),
    ).rejects.toThrow(/migration 1 is numbered 2/);
  });

  it("takes over an event store's record table from before components (keyed by version alone) without applying anything twice", async () => {
    await pool.query('CREATE SCHEMA old_store');
    await pool.query(
      `CREATE TABLE old_store.migrations (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    // The event store's migrations, applied and recorded the old way.
    for (let version = 1; version <= LATEST_SCHEMA_VERSION; version += 1)
      await pool.query('INSERT INTO old_store.migrations (version, description) VALUES ($1, $2)', [version, `old ${version}`]);
    const client = await pool.connect();
    try {
      expect(await migrate(client, 'old_store')).toEqual([]);
      const rows = (await pool.query('SELECT component, version FROM old_store.migrations ORDER BY version')).rows;
      expect(rows).toEqual(Array.from({ length: LATEST_SCHEMA_VERSION }, (_, index) => ({ component: 'event-store', version: index + 1 })));
    } finally {
      client.release();
    }
  });
});

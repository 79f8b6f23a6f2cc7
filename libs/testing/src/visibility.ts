import { Client } from 'pg';

/**
 * Waits until every committed event of these event-store schemas is visible to readers. A reader
 * sees an event only once no older transaction runs anywhere on the server (the late-commit rule),
 * so a transaction open in another test file's database can hold the newest events back for a
 * moment; a test that then asks whether a projection has caught up would compare it with a store
 * that is still behind. Bounded by `timeoutMs`.
 */
export async function allCommittedVisible(databaseUrl: string, schemas: readonly string[], timeoutMs = 30_000): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (const schema of schemas) {
      for (;;) {
        const { rows } = await client.query<{ hidden: string }>(
          `SELECT count(*) FILTER (WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot()))::text AS hidden FROM ${schema}.events`,
        );
        if (rows[0]?.hidden === '0') break;
        if (Date.now() > deadline) throw new Error(`committed events of ${schema} stayed invisible to readers for ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  } finally {
    await client.end();
  }
}

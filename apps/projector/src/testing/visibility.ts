import { Client } from 'pg';
import { waitUntilCaughtUp } from '../engine/live';
import type { Projector } from '../projector-runtime';
import type { Projection } from '../projections';

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

/**
 * Waits until every committed event of the projections' sources is visible, then until each of
 * them has applied every event of its source (what a test checks the read models against).
 */
export async function projectionsCaughtUp(projector: Projector, databaseUrl: string, projections: readonly Projection[] = [...projector.live.values()].map((live) => live.projection), timeoutMs = 120_000): Promise<void> {
  await allCommittedVisible(databaseUrl, [...new Set(projections.map((projection) => projection.source))]);
  for (const projection of projections) await waitUntilCaughtUp(projector.live.get(projection.name)!, projector.storeFor(projection.source), projection, timeoutMs);
}

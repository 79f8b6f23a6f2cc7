import { allCommittedVisible } from '@ledger/testing';
import { waitUntilCaughtUp } from '../engine/live';
import type { Projector } from '../projector-runtime';
import type { Projection } from '../projections';

/**
 * Waits until every committed event of the projections' sources is visible, then until each of
 * them has applied every event of its source (what a test checks the read models against).
 */
export async function projectionsCaughtUp(
  projector: Projector,
  databaseUrl: string,
  projections: readonly Projection[] = [...projector.live.values()].map((live) => live.projection),
  timeoutMs = 120_000,
): Promise<void> {
  await allCommittedVisible(databaseUrl, [...new Set(projections.map((projection) => projection.source))]);
  for (const projection of projections)
    await waitUntilCaughtUp(projector.live.get(projection.name)!, projector.storeFor(projection.source), projection, timeoutMs);
}

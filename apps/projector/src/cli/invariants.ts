/**
 * `npm run projector:check` = `node -r @swc-node/register apps/projector/src/cli/invariants.ts [--json]`
 * Checks the invariants on the read models, the same checks the projector's invariant monitor runs
 * continuously (every wallet compared here, not a sweep), and compares a sample of streams with
 * their replay (the whole replay: `npm run replay -- --all --verify`). Honours
 * PROJECTOR_PAYMENT_OUTCOME_WITHIN_MS. Exit 1 when an invariant is broken, 2 when it could not check.
 */
import type { Projection } from '@ledger/projector-service';
import {
  checkInvariants,
  checkReplaySample,
  cursorOrderFor,
  formatInvariants,
  formatReplaySample,
  monitorSettingsFromEnv,
} from '@ledger/projector-service';
import { openCli } from './common';

/** Streams replayed per stream category: more than one evaluation of the monitor, still seconds at most. */
const CLI_REPLAY_SAMPLE = 100;

async function main(): Promise<number> {
  const cli = await openCli();
  try {
    const settings = monitorSettingsFromEnv();
    const report = await checkInvariants(cli.dataSource, { outcomeWithinMs: settings.outcomeWithinMs });
    const storeUrl = process.env.EVENT_STORE_URL || process.env.DATABASE_URL!;
    const replay = await checkReplaySample(
      cli.dataSource,
      { store: (source: Projection['source']) => cli.store(source), order: () => cursorOrderFor(storeUrl) },
      { sampleSize: CLI_REPLAY_SAMPLE },
    );
    const replayOk = replay.results.every((result) => result.differing.length === 0);
    console.log(
      process.argv.includes('--json')
        ? JSON.stringify({ ...report, replaySample: replay }, null, 2)
        : `${formatInvariants(report)}\n${formatReplaySample(replay)}`,
    );
    return report.ok && replayOk ? 0 : 1;
  } finally {
    await cli.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('check failed:', error);
    process.exit(2);
  },
);

/**
 * `npm run replay -- <projection|--all> [--verify] [--until <iso instant>]`
 * = `node -r @swc-node/register apps/projector/src/cli/replay.ts …`
 *
 * - default: rebuild from position zero into a versioned table and swap it in atomically;
 * - `--verify`: rebuild up to the live checkpoint and compare checksums (exit 1 when they differ);
 * - `--until <instant>`: build the read model as of that instant into `analytics.<table>__asof…`
 *   (kept for querying; the live tables are untouched).
 * Reads DATABASE_URL (EVENT_STORE_URL for the event stores when elsewhere).
 */
import { PROJECTIONS, projectionNamed, type Projection } from '../projections';
import { checksum, rebuild, verify, type Progress } from '../engine/rebuild';
import { openCli, option } from './common';

function progressLine(name: string): (progress: Progress) => void {
  let last = 0;
  return (progress) => {
    const now = performance.now();
    if (now - last < 250) return;
    last = now;
    process.stderr.write(`\r${name}: ${progress.events.toLocaleString()} events, ${Math.round(progress.eventsPerSecond).toLocaleString()} events/s, ${(progress.elapsedMs / 1000).toFixed(1)} s   `);
  };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const untilText = option(args, '--until');
  const until = untilText === undefined ? undefined : new Date(untilText);
  if (until && Number.isNaN(until.getTime())) throw new Error(`--until: not an instant: ${untilText}`);
  const positional = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--until');
  const projections: readonly Projection[] = args.includes('--all') || positional.length === 0 ? PROJECTIONS : positional.map(projectionNamed);
  const cli = await openCli();
  let failed = false;
  try {
    for (const projection of projections) {
      const store = await cli.store(projection.source);
      const onProgress = progressLine(projection.name);
      if (args.includes('--verify')) {
        const result = await verify(cli.dataSource, store, projection, { onProgress });
        process.stderr.write('\n');
        console.log(`${result.ok ? 'ok  ' : 'DIFF'} ${projection.name}: live ${result.live.checksum} rebuilt ${result.rebuilt.checksum} (${result.events} events up to ${result.cursor})`);
        if (!result.ok) {
          failed = true;
          for (const [i, table] of result.live.tables.entries()) console.log(`     ${table.table}: live ${table.rows} rows ${table.md5}, rebuilt ${result.rebuilt.tables[i]?.rows} rows ${result.rebuilt.tables[i]?.md5}`);
        }
        continue;
      }
      const result = await rebuild(cli.dataSource, store, projection, { until, swap: !until, onProgress });
      process.stderr.write('\n');
      const sum = await checksum(cli.dataSource, projection, result.tables);
      const rate = Math.round((result.events * 1000) / Math.max(result.elapsedMs, 1));
      console.log(`${projection.name}: ${result.events} events in ${(result.elapsedMs / 1000).toFixed(1)} s (${rate} events/s), checksum ${sum.checksum}`);
      console.log(result.swapped ? `  swapped in: ${Object.values(result.tables).map((t) => `analytics.${t}`).join(', ')}` : `  as of ${until?.toISOString()}: ${Object.values(result.tables).map((t) => `analytics.${t}`).join(', ')}`);
    }
  } finally {
    await cli.close();
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('replay failed:', error);
    process.exit(2);
  },
);

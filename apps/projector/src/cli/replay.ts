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
import { PROJECTIONS, projectionNamed, type Projection } from '@ledger/projector-service';
import type { EventStore } from '@ledger/event-store';
import { checksum, rebuildAll, verify } from '@ledger/projector-service';
import { formatProgress, type Progress } from '@ledger/projector-service';
import { openCli, option, type Cli } from './common';

function progressLine(name: string): (progress: Progress) => void {
  let last = 0;
  return (progress) => {
    const now = performance.now();
    if (now - last < 250) return;
    last = now;
    process.stderr.write(`\r${formatProgress(name, progress)}   `);
  };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const untilText = option(args, '--until');
  const until = untilText === undefined ? undefined : new Date(untilText);
  if (until && Number.isNaN(until.getTime())) throw new Error(`--until: not an instant: ${untilText}`);
  const positional = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--until');
  const projections: readonly Projection[] =
    args.includes('--all') || positional.length === 0 ? PROJECTIONS : positional.map(projectionNamed);
  const cli = await openCli();
  try {
    return args.includes('--verify') ? await verifyEach(cli, projections) : await rebuildEvery(cli, projections, until);
  } finally {
    await cli.close();
  }
}

async function verifyEach(cli: Cli, projections: readonly Projection[]): Promise<number> {
  let failed = false;
  for (const projection of projections) {
    const store = await cli.store(projection.source);
    const result = await verify(cli.dataSource, store, projection, {
      onProgress: progressLine(projection.name),
      headPosition: await cli.headPosition(projection.source),
    });
    process.stderr.write('\n');
    console.log(
      `${result.ok ? 'ok  ' : 'DIFF'} ${projection.name}: live ${result.live.checksum} rebuilt ${result.rebuilt.checksum} (${result.events} events up to ${result.cursor})`,
    );
    if (!result.ok) {
      failed = true;
      for (const [i, table] of result.live.tables.entries())
        console.log(
          `     ${table.table}: live ${table.rows} rows ${table.md5}, rebuilt ${result.rebuilt.tables[i]?.rows} rows ${result.rebuilt.tables[i]?.md5}`,
        );
    }
  }
  return failed ? 1 : 0;
}

/** Every source side by side, each read once for all its projections (`rebuildAll`); one progress line per source. */
async function rebuildEvery(cli: Cli, projections: readonly Projection[], until: Date | undefined): Promise<number> {
  const sources = [...new Set(projections.map((projection) => projection.source))];
  const stores = new Map<string, EventStore>();
  const heads = new Map<string, bigint | undefined>();
  for (const source of sources) {
    stores.set(source, await cli.store(source));
    heads.set(source, await cli.headPosition(source));
  }
  const lines = new Map<string, string>();
  let last = 0;
  const results = await rebuildAll(cli.dataSource, (source) => stores.get(source)!, projections, {
    until,
    swap: !until,
    onGroupProgress: (group, progress) => {
      lines.set(
        group[0]!.source,
        formatProgress(group.map((p) => p.name).join('+'), { ...progress, headPosition: heads.get(group[0]!.source) }),
      );
      if (performance.now() - last < 250) return;
      last = performance.now();
      process.stderr.write(`\r${[...lines.values()].join(' | ')}   `);
    },
  });
  process.stderr.write('\n');
  for (const [i, result] of results.entries()) {
    const projection = projections[i]!;
    const sum = await checksum(cli.dataSource, projection, result.tables);
    const rate = Math.round((result.events * 1000) / Math.max(result.elapsedMs, 1));
    console.log(
      `${projection.name}: ${result.events} events in ${(result.elapsedMs / 1000).toFixed(1)} s (${rate} events/s), checksum ${sum.checksum}`,
    );
    console.log(
      result.swapped
        ? `  swapped in: ${Object.values(result.tables)
            .map((t) => `analytics.${t}`)
            .join(', ')}`
        : `  as of ${until?.toISOString()}: ${Object.values(result.tables)
            .map((t) => `analytics.${t}`)
            .join(', ')}`,
    );
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('replay failed:', error);
    process.exit(2);
  },
);

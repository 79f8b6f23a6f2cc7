/**
 * `npm run export -- <table|projection> [--from <instant>] [--to <instant>] [--out file.csv]`
 * = `node -r @swc-node/register apps/projector/src/cli/export.ts …`. CSV on stdout by default.
 */
import { createWriteStream } from 'node:fs';
import { exportCsv } from '@ledger/projector-service';
import { openCli, option } from './common';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const name = args.find((arg, i) => !arg.startsWith('--') && !['--from', '--to', '--out'].includes(args[i - 1] ?? ''));
  if (!name) throw new Error('usage: export <table|projection> [--from <instant>] [--to <instant>] [--out file.csv]');
  const outPath = option(args, '--out');
  const out = outPath ? createWriteStream(outPath) : process.stdout;
  const cli = await openCli();
  try {
    const rows = await exportCsv(cli.dataSource, name, out, { from: option(args, '--from'), to: option(args, '--to') });
    if (outPath)
      await new Promise<void>((resolve, reject) =>
        (out as ReturnType<typeof createWriteStream>).end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    process.stderr.write(`${rows} rows\n`);
  } finally {
    await cli.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('export failed:', error);
    process.exit(2);
  },
);

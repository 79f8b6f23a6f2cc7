import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Latency samples in milliseconds → the percentiles a report quotes. */
export function latencySummary(samplesMs: number[]): { count: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number } {
  if (samplesMs.length === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    count: sorted.length,
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted[sorted.length - 1]!),
  };
}

/**
 * The command that repeats this run: the environment settings it was given (variables named with
 * one of `prefixes`, sorted) before `npm run <script>` and its arguments.
 */
export function commandOf(
  script: string,
  prefixes: readonly string[],
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): string {
  const settings = Object.entries(env)
    .filter(([key]) => prefixes.some((prefix) => key.startsWith(prefix)))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`);
  return [...settings, `npm run ${script}`, ...args].join(' ');
}

export interface BenchTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

/** The machine a figure was measured on; every results file starts with it. */
export function machineInfo() {
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
  };
}

/**
 * Prints the tables and writes `bench/results/<name>-<date>.json` (all figures) and `.md` (the
 * tables), so every figure quoted anywhere can be traced to a file and the command that made it.
 */
export function saveResults(
  name: string,
  command: string,
  data: Record<string, unknown>,
  tables: BenchTable[],
): { json: string; markdown: string } {
  const dir = path.join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const json = path.join(dir, `${name}-${date}.json`);
  const markdown = path.join(dir, `${name}-${date}.md`);
  const machine = machineInfo();
  writeFileSync(json, JSON.stringify({ name, command, measuredAt: new Date().toISOString(), machine, ...data }, null, 2) + '\n');
  const md = [
    `# ${name} (${date})`,
    '',
    `Command: \`${command}\`. Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}.`,
    '',
    ...tables.flatMap(renderTable),
  ].join('\n');
  writeFileSync(markdown, md + '\n');
  for (const table of tables) console.log('\n' + renderTable(table).join('\n'));
  console.log(`\nsaved ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), markdown)}`);
  return { json, markdown };
}

function renderTable(table: BenchTable): string[] {
  return [
    `## ${table.title}`,
    '',
    `| ${table.columns.join(' | ')} |`,
    `| ${table.columns.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(String).join(' | ')} |`),
    '',
  ];
}

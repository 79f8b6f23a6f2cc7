/**
 * Summarizes V8 CPU profiles (`--cpu-prof`): the functions with the most self time, per profile,
 * so a benchmark's "where the time goes" can be written down from the files `npm run bench` leaves
 * with BENCH_CPU_PROF_DIR set. Usage: node -r @swc-node/register bench/src/system/profile-summary.ts <dir> [top]
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export function selfTimes(profile: CpuProfile): Array<{ name: string; ms: number; share: number }> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) return;
    const frame = node.callFrame;
    const where =
      frame.url === ''
        ? ''
        : ` ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}`;
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    totals.set(name, (totals.get(name) ?? 0) + delta);
    all += delta;
  });
  return [...totals].map(([name, ms]) => ({ name, ms: Math.round(ms), share: ms / all })).sort((a, b) => b.ms - a.ms);
}

if (require.main === module) {
  const dir = process.argv[2] ?? '.';
  const top = Number(process.argv[3] ?? 15);
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const rows = selfTimes(profile);
    const busy = rows
      .filter((row) => !['(idle)', '(program)', '(garbage collector)'].includes(row.name.split(' ')[0]!))
      .reduce((sum, row) => sum + row.ms, 0);
    console.log(
      `\n${file}: ${((profile.endTime - profile.startTime) / 1e6).toFixed(0)} s profiled, ${(busy / 1000).toFixed(1)} s on the CPU in JavaScript`,
    );
    for (const row of rows.slice(0, top))
      console.log(`  ${String(row.ms).padStart(7)} ms  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.name}`);
  }
}

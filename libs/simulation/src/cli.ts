/**
 * `npm run simulate -- --seeds N [--from S] [options]`: N schedules, a tally and every failure with its seed.
 * `npm run simulate -- --seed S [--trace] [--shrink] [options]`: one schedule, replayed exactly, told in full.
 *
 * Options: --without kind,kind (fault kinds off: reorder, delay, duplicate, drop, crash, outage, early,
 * partner, store, producer); --payments-instances N; --max-downtime-ms MS; --avoid-known-defects (the
 * configuration in which the defects found so far are not reached); --trace (every event); --shrink
 * (turns fault kinds off one at a time while the failure stays, and prints the smallest set that fails).
 * Exit code 1 when a schedule failed.
 */
import { randomInt } from 'node:crypto';
import { FAULT_KINDS, type FaultKind } from './faults';
import { AVOID_KNOWN_DEFECTS, runSeeds, signatureOf, type RunOptions, type RunSummary } from './runner';
import { runSchedule, type ScheduleResult } from './simulation';

interface Arguments {
  seeds: number;
  from: number | undefined;
  seed: number | undefined;
  trace: boolean;
  shrink: boolean;
  options: RunOptions;
  flags: string[];
}

function parse(argv: readonly string[]): Arguments {
  const args: Arguments = { seeds: 1_000, from: undefined, seed: undefined, trace: false, shrink: false, options: {}, flags: [] };
  const without = new Set<FaultKind>();
  let avoidKnownDefects = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    const integer = (): number => {
      const text = value();
      if (!/^\d+$/.test(text)) throw new Error(`${flag} takes a whole number, not ${text}`);
      return Number(text);
    };
    switch (flag) {
      case '--seeds':
        args.seeds = integer();
        break;
      case '--from':
        args.from = integer();
        break;
      case '--seed':
        args.seed = integer();
        break;
      case '--trace':
        args.trace = true;
        break;
      case '--shrink':
        args.shrink = true;
        break;
      case '--without':
        for (const kind of value().split(',').filter(Boolean)) {
          if (!(FAULT_KINDS as readonly string[]).includes(kind))
            throw new Error(`unknown fault kind ${kind} (kinds: ${FAULT_KINDS.join(', ')})`);
          without.add(kind as FaultKind);
        }
        break;
      case '--payments-instances':
        args.options.paymentsInstances = integer();
        break;
      case '--max-downtime-ms':
        args.options.maxDowntimeMs = integer();
        break;
      case '--avoid-known-defects':
        avoidKnownDefects = true;
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  if (avoidKnownDefects) {
    args.options.paymentsInstances ??= AVOID_KNOWN_DEFECTS.paymentsInstances;
    args.options.maxDowntimeMs ??= AVOID_KNOWN_DEFECTS.maxDowntimeMs;
    for (const kind of AVOID_KNOWN_DEFECTS.without ?? []) without.add(kind);
  }
  if (without.size > 0) args.options.without = without;
  args.flags = flagsOf(args.options);
  return args;
}

/** The options as command-line flags, for the replay line of a failure. */
function flagsOf(options: RunOptions): string[] {
  const flags: string[] = [];
  if (options.without && options.without.size > 0) flags.push('--without', [...options.without].join(','));
  if (options.paymentsInstances !== undefined) flags.push('--payments-instances', String(options.paymentsInstances));
  if (options.maxDowntimeMs !== undefined) flags.push('--max-downtime-ms', String(options.maxDowntimeMs));
  return flags;
}

const replayLine = (seed: number, flags: readonly string[]): string =>
  `npm run simulate -- --seed ${seed}${flags.length ? ` ${flags.join(' ')}` : ''}`;

async function replay(args: Arguments, seed: number): Promise<number> {
  const first = await runSchedule({ ...args.options, seed, trace: true });
  const again = await runSchedule({ ...args.options, seed, trace: true });
  const identical = first.hash === again.hash && first.trace!.join('\n') === again.trace!.join('\n');
  if (args.trace) console.log(first.trace!.join('\n'));
  console.log(
    `\nseed ${seed}: ${first.ok ? 'passed' : 'FAILED'} (${first.events} events, ${(first.simulatedMs / 1000).toFixed(1)} s simulated)`,
  );
  console.log(first.story);
  for (const failure of first.failures) console.log(`✗ ${failure}`);
  if (!first.ok && !args.trace) console.log(excerpt(first.trace!, first.failures));
  console.log(
    `replayed: ${identical ? `identical trace (hash ${first.hash.toString(16)})` : 'THE TRACE DIFFERS: the schedule is not deterministic'}`,
  );
  if (args.shrink && !first.ok) await shrink(args, seed, first);
  return first.ok && identical ? 0 : 1;
}

/**
 * The shortest account of a failure: the trace lines of the payments it names (their commands,
 * results, appends and timers) and every crash, restart and outage, at most 80 lines.
 */
function excerpt(trace: readonly string[], failures: readonly string[]): string {
  const ids = [...new Set(failures.flatMap((failure) => [...failure.matchAll(/payment (p\d+)/g)].map((match) => match[1]!)))];
  if (ids.length === 0) return '';
  const mentions = ids.map((id) => new RegExp(`\\b${id}(:|\\b)`));
  const lines = trace.filter((line) => mentions.some((mention) => mention.test(line)) || /FAULT (crash|outage)| restart$/.test(line));
  const shown = lines.length > 80 ? [...lines.slice(0, 40), `… ${lines.length - 80} lines …`, ...lines.slice(-40)] : lines;
  return `\nwhat happened to ${ids.join(', ')} (--trace for every event):\n${shown.join('\n')}`;
}

/** Turns fault kinds off, one at a time, as long as the schedule still fails the same way. */
async function shrink(args: Arguments, seed: number, failing: ScheduleResult): Promise<void> {
  // The failure to keep: a broken invariant rather than an exception, when the schedule has both.
  const target = failing.failures.find((failure) => !failure.startsWith('unexpected exception')) ?? failing.failures[0]!;
  const signature = signatureOf(target);
  console.log(`\nshrinking while this failure stays: ${signature}`);
  let without = new Set(args.options.without ?? []);
  for (const kind of FAULT_KINDS) {
    if (without.has(kind)) continue;
    const candidate = new Set([...without, kind]);
    const result = await runSchedule({ ...args.options, seed, without: candidate });
    if (!result.ok && result.failures.some((f) => signatureOf(f) === signature)) without = candidate;
  }
  const smallest = await runSchedule({ ...args.options, seed, without, trace: true });
  const kept = FAULT_KINDS.filter((kind) => !without.has(kind));
  console.log(`\nshrunk: the failure needs only ${kept.length ? kept.join(', ') : 'no fault at all'}`);
  console.log(smallest.story);
  console.log(`replay: ${replayLine(seed, flagsOf({ ...args.options, without }))} --trace`);
}

function report(summary: RunSummary, from: number, flags: readonly string[]): void {
  const seconds = summary.elapsedMs / 1000;
  console.log(
    `\n${summary.schedules.toLocaleString('en')} schedules (seeds ${from}…${from + summary.schedules - 1}) in ${seconds.toFixed(1)} s: ` +
      `${(summary.schedules / seconds).toFixed(0)} schedules/s, ${summary.events.toLocaleString('en')} events ` +
      `(${(summary.events / summary.schedules).toFixed(0)} per schedule), ${(summary.simulatedMs / 3_600_000).toFixed(1)} h simulated`,
  );
  console.log(
    `payments: ${summary.completedPayments.toLocaleString('en')} completed, ${summary.failedPayments.toLocaleString('en')} failed`,
  );
  const outcomes = [...summary.outcomes].sort((a, b) => b[1] - a[1]);
  console.log(`  ${outcomes.map(([outcome, n]) => `${outcome} ${n}`).join(', ')}`);
  console.log(`faults: ${[...summary.faultsByKind].map(([kind, n]) => `${kind} ${n.toLocaleString('en')}`).join(', ') || 'none'}`);
  if (summary.failed === 0) {
    console.log('failures: 0');
    return;
  }
  console.log(`FAILURES: ${summary.failed} schedules`);
  for (const [signature, group] of [...summary.failures].sort((a, b) => b[1].count - a[1].count)) {
    console.log(`  ${group.count}× ${signature}`);
    console.log(`     e.g. ${replayLine(group.seeds[0]!, flags)}   (seeds ${group.seeds.join(', ')})`);
  }
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  process.on('unhandledRejection', (reason) => {
    console.error('unhandled rejection (a component left a failed promise behind):', reason);
    process.exitCode = 1;
  });
  if (args.seed !== undefined) return replay(args, args.seed);
  const from = args.from ?? randomInt(1, 2 ** 31);
  console.log(
    `simulating ${args.seeds.toLocaleString('en')} schedules from seed ${from}${args.flags.length ? ` (${args.flags.join(' ')})` : ''}`,
  );
  const summary = await runSeeds(from, args.seeds, args.options, (done, s) =>
    console.log(`  ${done.toLocaleString('en')} schedules, ${(done / (s.elapsedMs / 1000)).toFixed(0)}/s, ${s.failed} failed`),
  );
  report(summary, from, args.flags);
  return summary.failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = process.exitCode || code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);

import { PartitionPipeline } from './partition-pipeline';

/** A unit of work the test finishes (or fails) when it wants. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function pipeline(maxInFlight = 10) {
  const commits: string[] = [];
  const errors: string[] = [];
  const p = new PartitionPipeline({
    maxInFlight,
    commitDelayMs: 50,
    commit: async (offset) => void commits.push(offset),
    onError: (error, offset) => void errors.push(`${offset}: ${(error as Error).message}`),
  });
  return { p, commits, errors };
}

describe('PartitionPipeline', () => {
  it('runs messages of different keys at once and those of one key in order', async () => {
    const { p } = pipeline();
    const started: string[] = [];
    const gates = { a1: gate(), a2: gate(), b1: gate() };
    await p.submit('0', 'a', async () => {
      started.push('a1');
      await gates.a1.promise;
    });
    await p.submit('1', 'a', async () => {
      started.push('a2');
      await gates.a2.promise;
    });
    await p.submit('2', 'b', async () => {
      started.push('b1');
      await gates.b1.promise;
    });
    await tick();
    expect(started).toEqual(['a1', 'b1']);
    gates.a1.open();
    await tick();
    await tick();
    expect(started).toEqual(['a1', 'b1', 'a2']);
    gates.a2.open();
    gates.b1.open();
    await p.drain(1_000);
  });

  it('commits only up to the oldest unfinished message', async () => {
    const { p, commits } = pipeline();
    const slow = gate();
    await p.submit('10', 'slow', () => slow.promise);
    await p.submit('11', 'fast', async () => undefined);
    await p.submit('12', 'fast2', async () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(p.watermark).toBe(10n);
    expect(commits.every((offset) => BigInt(offset) <= 10n)).toBe(true);
    slow.open();
    await p.drain(1_000);
    expect(commits[commits.length - 1]).toBe('13');
  });

  it('waits for a free slot beyond maxInFlight', async () => {
    const { p } = pipeline(2);
    const first = gate();
    await p.submit('0', 'a', () => first.promise);
    await p.submit('1', 'b', () => new Promise(() => undefined));
    let thirdStarted = false;
    const third = p.submit('2', 'c', async () => void (thirdStarted = true));
    await tick();
    expect(thirdStarted).toBe(false);
    first.open();
    await third;
    await tick();
    expect(thirdStarted).toBe(true);
  });

  it('retries failing work and holds the watermark; work still failing at a stop is never committed', async () => {
    const { p, commits, errors } = pipeline();
    let attempts = 0;
    await p.submit('5', 'flaky', async () => {
      attempts++;
      if (attempts < 3) throw new Error('broker unavailable');
    });
    await p.submit('6', 'broken', async () => {
      throw new Error('still down');
    });
    await p.submit('7', 'ok', async () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(attempts).toBe(3);
    expect(errors.filter((line) => line.startsWith('5:'))).toHaveLength(2);
    await p.drain(1_000);
    expect(commits.every((offset) => BigInt(offset) <= 6n)).toBe(true);
    expect(commits[commits.length - 1]).toBe('6');
  });
});

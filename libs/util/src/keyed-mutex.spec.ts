import { KeyBusy, KeyedMutex } from './keyed-mutex';

describe('KeyedMutex', () => {
  it('runs tasks of one key one at a time, in order, and other keys in parallel', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
    };
    await Promise.all([mutex.run('a', task('a1', 20)), mutex.run('a', task('a2', 1)), mutex.run('b', task('b1', 1))]);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
    expect(mutex.activeKeys).toBe(0);
  });

  it('refuses beyond its bound instead of queueing forever, and survives a failing task', async () => {
    const mutex = new KeyedMutex(2);
    let release!: () => void;
    const blocker = mutex.run('k', () => new Promise<void>((resolve) => (release = resolve)));
    const second = mutex.run('k', async () => 'second');
    await expect(mutex.run('k', async () => 'third')).rejects.toBeInstanceOf(KeyBusy);
    release();
    await blocker;
    expect(await second).toBe('second');
    await expect(mutex.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await mutex.run('k', async () => 'after')).toBe('after');
  });
});

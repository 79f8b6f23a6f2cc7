import type { Consumer } from 'kafkajs';
import { PeriodicOffsetCommits } from './periodic-offset-commits';

/** Records what would be committed; `join()` plays a rebalance. */
function consumerDouble() {
  const commits: Array<Array<{ topic: string; partition: number; offset: string }>> = [];
  const listeners: Array<() => void> = [];
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join' },
    on: (_event: string, listener: () => void) => listeners.push(listener),
    commitOffsets: async (offsets: Array<{ topic: string; partition: number; offset: string }>) => void commits.push(offsets),
  } as unknown as Consumer;
  return { consumer, commits, join: () => listeners.forEach((listener) => listener()) };
}

describe('PeriodicOffsetCommits', () => {
  it('commits the next offset of each partition handled, once, and nothing when nothing new was handled', async () => {
    const { consumer, commits } = consumerDouble();
    const offsets = new PeriodicOffsetCommits(consumer, 60_000);
    offsets.handled('t', 0, '4');
    offsets.handled('t', 0, '5');
    offsets.handled('t', 1, '9');
    await offsets.commitNow();
    expect(commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '6' },
        { topic: 't', partition: 1, offset: '10' },
      ],
    ]);
    await offsets.commitNow();
    expect(commits).toHaveLength(1);
    offsets.handled('t', 1, '10');
    await offsets.stop();
    expect(commits[1]).toEqual([{ topic: 't', partition: 1, offset: '11' }]);
  });

  it('forgets uncommitted positions at a rebalance (the partition may belong to another member now)', async () => {
    const { consumer, commits, join } = consumerDouble();
    const offsets = new PeriodicOffsetCommits(consumer, 60_000);
    offsets.handled('t', 2, '7');
    join();
    await offsets.commitNow();
    expect(commits).toEqual([]);
  });
});

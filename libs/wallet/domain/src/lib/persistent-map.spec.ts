import { fold, isRejection } from '@ledger/util';
import type { WalletCommand } from './commands';
import type { WalletEvent } from './events';
import { PersistentMap } from './persistent-map';
import { balancesOf } from './state';
import { cmd, decider } from './wallet.fixtures';

describe('PersistentMap', () => {
  it('never changes a map that was written to', () => {
    const empty = PersistentMap.empty<string, number>();
    const one = empty.set('a', 1);
    const two = one.set('b', 2).set('a', 3);
    expect([empty.size, one.size, two.size]).toEqual([0, 1, 2]);
    expect([one.get('a'), two.get('a'), one.has('b'), two.get('b')]).toEqual([1, 3, false, 2]);
  });

  it('keeps every entry across merges of its recent layer, in insertion order for new keys', () => {
    let map = PersistentMap.empty<number, number>();
    const snapshots: PersistentMap<number, number>[] = [];
    for (let i = 0; i < 1_000; i += 1) {
      map = map.set(i, i * 2);
      if (i % 300 === 0) snapshots.push(map);
    }
    map = map.set(5, -1);
    expect(map.size).toBe(1_000);
    expect(map.get(999)).toBe(1_998);
    expect(map.get(5)).toBe(-1);
    expect([...map.keys()]).toHaveLength(1_000);
    expect(snapshots.map((snapshot) => snapshot.size)).toEqual([1, 301, 601, 901]);
    expect(snapshots[1]!.get(301)).toBeUndefined();
    expect(snapshots[1]!.get(5)).toBe(10);
  });

  it('is structurally equal for the same sequence of writes', () => {
    const entries = Array.from({ length: 600 }, (_, i) => [`k${i}`, i] as const);
    expect(PersistentMap.from(entries)).toEqual(PersistentMap.from(entries));
  });
});

describe('a busy wallet', () => {
  it('rebuilds 15,000 events of reservations and captures without quadratic copying', () => {
    const commands: WalletCommand[] = [cmd.open({ tier: 'premium' }), cmd.credit({ creditId: 'big', amountMinor: 400_000n })];
    for (let i = 0; i < 5_000; i += 1) {
      commands.push(cmd.reserve({ holdId: `h-${i}`, amountMinor: 10n }), cmd.capture({ holdId: `h-${i}`, amountMinor: 7n }));
      if (i % 1_000 === 999) commands.push(cmd.credit({ creditId: `more-${i}`, amountMinor: 1n }));
    }
    let state = decider.initialState();
    const events: WalletEvent[] = [];
    const started = Date.now();
    for (const command of commands) {
      const result = decider.decide(command, state);
      if (isRejection(result)) throw new Error(`${command.type} rejected: ${result.code}`);
      events.push(...result);
      state = fold(decider, result, state);
    }
    const rebuilt = fold(decider, events);
    const elapsedMs = Date.now() - started;
    expect(rebuilt).toEqual(state);
    expect(balancesOf(rebuilt)).toEqual({ totalMinor: 400_000n + 5n - 35_000n, heldMinor: 0n, availableMinor: 400_000n + 5n - 35_000n });
    expect(elapsedMs).toBeLessThan(10_000);
  });
});

import { GroupCommit } from './group-commit';

/** Writes of `events` events to `key`; the commits record what each batch held. */
type Write = { key: string; events: number; name: string };

function recording(maxEvents: number) {
  const batches: string[][] = [];
  const commit = new GroupCommit<Write, string>({
    commit: async (writes) => {
      batches.push(writes.map((write) => write.name));
      return writes.map((write) => write.name);
    },
    keyOf: (write) => write.key,
    sizeOf: (write) => ({ events: write.events, bytes: 0 }),
    limits: { maxEvents, maxBytes: Infinity, maxInFlight: 1 },
  });
  return { commit, batches };
}

describe('GroupCommit', () => {
  it('writes what arrives in one turn together, each caller answered with its own result', async () => {
    const { commit, batches } = recording(100);
    const results = await Promise.all([
      commit.write({ key: 'a', events: 1, name: 'a1' }),
      commit.write({ key: 'b', events: 1, name: 'b1' }),
    ]);
    expect(results).toEqual(['a1', 'b1']);
    expect(batches).toEqual([['a1', 'b1']]);
  });

  it('commits the writes of one key in arrival order, also when a later one would fit a batch an earlier one did not', async () => {
    const { commit, batches } = recording(10);
    await Promise.all([
      commit.write({ key: 'a', events: 8, name: 'a1' }),
      commit.write({ key: 'b', events: 5, name: 'b1' }), // does not fit beside a1
      commit.write({ key: 'b', events: 1, name: 'b2' }), // would fit beside a1, but must follow b1
      commit.write({ key: 'c', events: 1, name: 'c1' }), // another key fits beside a1
    ]);
    expect(batches).toEqual([['a1', 'c1'], ['b1'], ['b2']]);
  });
});

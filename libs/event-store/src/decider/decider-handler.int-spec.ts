import { randomUUID } from 'node:crypto';
import { reject, type Decider } from '@ledger/util';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { DeciderHandler, eventIdFor, type CommandMetadata, type EventCodec } from './decider-handler';

// A tiny account with a non-negative balance in fen: enough to exercise load → decide → append.
type Command = { kind: 'deposit'; amountMinor: bigint } | { kind: 'withdraw'; amountMinor: bigint };
type Event = { type: 'Deposited'; amountMinor: bigint } | { type: 'Withdrawn'; amountMinor: bigint };
type State = { balanceMinor: bigint };

const account: Decider<Command, Event, State> = {
  initialState: () => ({ balanceMinor: 0n }),
  decide: (command, state) => {
    if (command.kind === 'deposit') return [{ type: 'Deposited', amountMinor: command.amountMinor }];
    if (command.amountMinor > state.balanceMinor)
      return reject('INSUFFICIENT_FUNDS', 'not enough', { balanceMinor: state.balanceMinor.toString() });
    return [{ type: 'Withdrawn', amountMinor: command.amountMinor }];
  },
  evolve: (state, event) => ({ balanceMinor: state.balanceMinor + (event.type === 'Deposited' ? event.amountMinor : -event.amountMinor) }),
};

const codec: EventCodec<Event> = {
  encode: (event) => ({ type: `test.${event.type}.v1`, data: { amountMinor: event.amountMinor.toString() } }),
  decode: (record) => ({
    type: record.type === 'test.Deposited.v1' ? 'Deposited' : 'Withdrawn',
    amountMinor: BigInt(String(record.data.amountMinor)),
  }),
};

const meta = (commandId = randomUUID()): CommandMetadata => ({
  commandId,
  correlationId: commandId,
  actor: 'user:1',
  occurredAt: '2026-11-22T00:00:00.000Z',
});

describe('DeciderHandler on the PostgreSQL event store', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('decider');
    store = new PostgresEventStore({ connectionString: db.url, maxConnections: 20 });
    await store.init();
  });

  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('appends the decided events with the command metadata, and returns rejections without writing', async () => {
    const handler = new DeciderHandler({ store, decider: account, codec });
    const stream = `account-${randomUUID()}`;
    const deposit = meta();
    const accepted = await handler.handle(stream, { kind: 'deposit', amountMinor: 10n }, deposit);
    expect(accepted).toMatchObject({
      kind: 'accepted',
      lastRevision: 0n,
      duplicate: false,
      eventIds: [eventIdFor(deposit.commandId, stream, 0)],
    });
    const rejected = await handler.handle(stream, { kind: 'withdraw', amountMinor: 11n }, meta());
    expect(rejected).toMatchObject({ kind: 'rejected', rejection: { code: 'INSUFFICIENT_FUNDS', details: { balanceMinor: '10' } } });
    const stored = await store.readStream(stream);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.metadata).toMatchObject({ commandId: deposit.commandId, causationId: deposit.commandId, actor: 'user:1' });
  });

  it('answers a re-delivered command with the original events instead of deciding again', async () => {
    const stream = `account-${randomUUID()}`;
    const first = new DeciderHandler({ store, decider: account, codec });
    const deposit = meta();
    const original = await first.handle(stream, { kind: 'deposit', amountMinor: 5n }, deposit);
    // A fresh instance (another replica, or a restart) sees the same command again.
    const again = await new DeciderHandler({ store, decider: account, codec }).handle(
      stream,
      { kind: 'deposit', amountMinor: 5n },
      deposit,
    );
    expect(again).toMatchObject({ kind: 'accepted', duplicate: true, eventIds: original.kind === 'accepted' ? original.eventIds : [] });
    expect(again.kind === 'accepted' && again.events).toEqual([{ type: 'Deposited', amountMinor: 5n }]);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('re-decides on a revision conflict: concurrent withdrawals never overdraw', async () => {
    const stream = `account-${randomUUID()}`;
    await new DeciderHandler({ store, decider: account, codec }).handle(stream, { kind: 'deposit', amountMinor: 10n }, meta());
    // Twenty handlers (separate caches, like twenty replicas) each try to withdraw 1 twice as often as the balance allows.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        new DeciderHandler({ store, decider: account, codec, maxAttempts: 50 }).handle(
          stream,
          { kind: 'withdraw', amountMinor: 1n },
          meta(),
        ),
      ),
    );
    expect(outcomes.filter((o) => o.kind === 'accepted')).toHaveLength(10);
    expect(outcomes.filter((o) => o.kind === 'rejected')).toHaveLength(10);
    const events = await store.readStream(stream);
    const balance = events.map(codec.decode).reduce(account.evolve, account.initialState()).balanceMinor;
    expect(balance).toBe(0n);
  });

  it('keeps state in its cache and reads only the events appended since', async () => {
    const stream = `account-${randomUUID()}`;
    const handler = new DeciderHandler({ store, decider: account, codec });
    await handler.handle(stream, { kind: 'deposit', amountMinor: 7n }, meta());
    // Another writer appends behind the handler's back; the handler must see it.
    await new DeciderHandler({ store, decider: account, codec }).handle(stream, { kind: 'deposit', amountMinor: 3n }, meta());
    const withdraw = await handler.handle(stream, { kind: 'withdraw', amountMinor: 10n }, meta());
    expect(withdraw).toMatchObject({ kind: 'accepted', lastRevision: 2n });
    expect((await handler.load(stream)).state.balanceMinor).toBe(0n);
  });

  it('decides on its cached state without reading the stream again', async () => {
    const stream = `account-${randomUUID()}`;
    const handler = new DeciderHandler({ store, decider: account, codec });
    await handler.handle(stream, { kind: 'deposit', amountMinor: 10n }, meta());
    const reads = jest.spyOn(store, 'readStream');
    try {
      expect(await handler.handle(stream, { kind: 'withdraw', amountMinor: 4n }, meta())).toMatchObject({
        kind: 'accepted',
        lastRevision: 1n,
      });
      expect(await handler.handle(stream, { kind: 'deposit', amountMinor: 1n }, meta())).toMatchObject({
        kind: 'accepted',
        lastRevision: 2n,
      });
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
  });

  it('never accepts on a stale cache: the append conflicts and the command is decided again on the stored events', async () => {
    const stream = `account-${randomUUID()}`;
    const a = new DeciderHandler({ store, decider: account, codec });
    await a.handle(stream, { kind: 'deposit', amountMinor: 10n }, meta());
    // Another instance spends everything; a's cache still holds 10.
    await new DeciderHandler({ store, decider: account, codec }).handle(stream, { kind: 'withdraw', amountMinor: 10n }, meta());
    const late = await a.handle(stream, { kind: 'withdraw', amountMinor: 5n }, meta());
    expect(late).toMatchObject({ kind: 'rejected', rejection: { code: 'INSUFFICIENT_FUNDS', details: { balanceMinor: '0' } } });
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('decides concurrent commands of one stream one at a time, so they never conflict with each other', async () => {
    const stream = `account-${randomUUID()}`;
    // One attempt only: a command that lost a race for the revision would throw.
    const handler = new DeciderHandler({ store, decider: account, codec, maxAttempts: 1 });
    await handler.handle(stream, { kind: 'deposit', amountMinor: 20n }, meta());
    const appends = jest.spyOn(store, 'append');
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => handler.handle(stream, { kind: 'withdraw', amountMinor: 1n }, meta())),
      );
      expect(outcomes.map((outcome) => outcome.kind === 'accepted' && outcome.lastRevision)).toEqual(
        Array.from({ length: 20 }, (_, i) => BigInt(i + 1)),
      );
      expect(appends).toHaveBeenCalledTimes(20);
    } finally {
      appends.mockRestore();
    }
    expect((await handler.load(stream)).state.balanceMinor).toBe(0n);
  });

  it('after a conflict, reads only the events appended since its cached revision', async () => {
    const stream = `account-${randomUUID()}`;
    const a = new DeciderHandler({ store, decider: account, codec });
    for (let i = 0; i < 3; i++) await a.handle(stream, { kind: 'deposit', amountMinor: 1n }, meta());
    await new DeciderHandler({ store, decider: account, codec }).handle(stream, { kind: 'deposit', amountMinor: 1n }, meta());
    const reads = jest.spyOn(store, 'readStream');
    try {
      expect(await a.handle(stream, { kind: 'withdraw', amountMinor: 4n }, meta())).toMatchObject({ kind: 'accepted', lastRevision: 4n });
      expect(reads).toHaveBeenCalledTimes(1);
      expect(reads).toHaveBeenCalledWith(stream, { from: 3n });
    } finally {
      reads.mockRestore();
    }
  });

  it('answers a command that another instance already appended, behind its cache, without folding it twice', async () => {
    const stream = `account-${randomUUID()}`;
    const a = new DeciderHandler({ store, decider: account, codec });
    const b = new DeciderHandler({ store, decider: account, codec });
    await a.handle(stream, { kind: 'deposit', amountMinor: 5n }, meta());
    const redelivered = meta();
    await b.handle(stream, { kind: 'deposit', amountMinor: 3n }, redelivered);
    await b.handle(stream, { kind: 'deposit', amountMinor: 4n }, meta());
    // a never saw b's commands; the first of them reaches a again (a rebalance re-delivers it).
    const again = await a.handle(stream, { kind: 'deposit', amountMinor: 3n }, redelivered);
    expect(again).toMatchObject({ kind: 'accepted', duplicate: true });
    expect(await store.readStream(stream)).toHaveLength(3);
    // a's next command is decided on all three deposits, not on 5 + 3.
    expect(await a.handle(stream, { kind: 'withdraw', amountMinor: 12n }, meta())).toMatchObject({ kind: 'accepted', lastRevision: 3n });
  });

  it('remembers a bounded number of commands per stream; a forgotten one that appends is answered with its stored events, never appended twice', async () => {
    const stream = `account-${randomUUID()}`;
    const handler = new DeciderHandler({ store, decider: account, codec, commandMemory: 2 });
    const oldest = meta();
    const original = await handler.handle(stream, { kind: 'deposit', amountMinor: 7n }, oldest);
    for (let i = 0; i < 3; i++) await handler.handle(stream, { kind: 'deposit', amountMinor: 1n }, meta());
    // Given the first deposit forgotten by this handler (two newer commands remembered) and by a fresh one
    // that loads the whole stream, when it is delivered again, then the same events answer it.
    for (const again of [handler, new DeciderHandler({ store, decider: account, codec, commandMemory: 2 })]) {
      const outcome = await again.handle(stream, { kind: 'deposit', amountMinor: 7n }, oldest);
      expect(outcome).toMatchObject({ kind: 'accepted', duplicate: true, eventIds: original.kind === 'accepted' ? original.eventIds : [] });
      expect(outcome.kind === 'accepted' && outcome.events).toEqual([{ type: 'Deposited', amountMinor: 7n }]);
    }
    expect(await store.readStream(stream)).toHaveLength(4);
    // The handler goes on deciding on the whole balance (7 + 3).
    expect(await handler.handle(stream, { kind: 'withdraw', amountMinor: 10n }, meta())).toMatchObject({
      kind: 'accepted',
      lastRevision: 4n,
    });
  });

  it('derives stable UUIDs from the command id', () => {
    const id = eventIdFor('cmd-1', 'account-1', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdFor('cmd-1', 'account-1', 0)).toBe(id);
    expect(eventIdFor('cmd-1', 'account-1', 1)).not.toBe(id);
    expect(eventIdFor('cmd-2', 'account-1', 0)).not.toBe(id);
  });
});

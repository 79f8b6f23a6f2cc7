import { randomUUID } from 'node:crypto';
import { allCommittedVisible, createTestDatabase, type TestDatabase } from '@ledger/testing';
import { DEFAULT_WALLET_POLICY, WALLET_ERROR, WALLET_EVENT, type WalletCommand } from '@ledger/wallet-domain';
import { createEventStore, type EventStore, type NewEvent } from '@ledger/event-store';
import { checkLedger, formatReport } from './ledger-check';
import { WalletLedger } from './wallet-ledger';

const NOW = '2026-11-22T02:00:00.000Z';
const meta = (commandId = randomUUID()) => ({ commandId, correlationId: commandId, actor: 'system:test', occurredAt: NOW });
const prerequisites = { registered: true, paymentPasswordSet: true, cardBound: true };

describe('wallet ledger on the PostgreSQL event store', () => {
  let db: TestDatabase;
  let store: EventStore;
  let ledger: WalletLedger;

  beforeAll(async () => {
    db = await createTestDatabase('wallet_ledger');
    store = createEventStore(db.url, { schema: 'wallet', poolSize: 20 });
    await store.init();
    ledger = new WalletLedger({ store, policy: DEFAULT_WALLET_POLICY });
  });

  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  async function openFunded(amountMinor: bigint): Promise<string> {
    const opened = await ledger.open(
      `u-${randomUUID()}`,
      'basic',
      { ...prerequisites, identityFrozen: false, identityVerified: false },
      meta(),
      NOW,
    );
    expect(opened.kind).toBe('accepted');
    const credit: WalletCommand = {
      type: 'CreditWallet',
      walletId: opened.walletId,
      creditId: randomUUID(),
      amountMinor,
      reference: 'top-up',
      counterparty: 'clearing:card:ICBC',
      now: NOW,
    };
    expect((await ledger.execute(credit, meta())).kind).toBe('accepted');
    return opened.walletId;
  }

  it('accepts exactly the affordable ones of 1,000 concurrent reservations on one wallet', async () => {
    const walletId = await openFunded(100_000n);
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, () =>
        ledger.execute(
          {
            type: 'ReserveFunds',
            walletId,
            holdId: randomUUID(),
            amountMinor: 150n,
            expiresAt: '2026-11-22T03:00:00.000Z',
            reference: 'order',
            counterparty: 'merchant:m-1',
            now: NOW,
          },
          meta(),
        ),
      ),
    );
    const accepted = outcomes.filter((o) => o.kind === 'accepted');
    expect(accepted).toHaveLength(666); // floor(100000 / 150)
    expect(outcomes.filter((o) => o.kind === 'rejected' && o.code === WALLET_ERROR.INSUFFICIENT_FUNDS)).toHaveLength(334);
    const { state } = await ledger.stateOf(walletId);
    expect(state).toMatchObject({ totalMinor: 100_000n, heldMinor: 99_900n });
    // A second ledger (another instance) folds the same state from the stream alone.
    const fresh = await new WalletLedger({ store, policy: DEFAULT_WALLET_POLICY }).stateOf(walletId);
    expect(fresh.state).toMatchObject({ totalMinor: 100_000n, heldMinor: 99_900n });
    expect(fresh.revision).toBe(667n);
  }, 120_000);

  it('stays exact when two instances write to the same wallet (optimistic concurrency, bounded retries)', async () => {
    const walletId = await openFunded(10_000n);
    // Another instance is another process: its own connections, and its own group commit of appends.
    const otherStore = createEventStore(db.url, { schema: 'wallet', poolSize: 5 });
    const other = new WalletLedger({ store: otherStore, policy: DEFAULT_WALLET_POLICY });
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? ledger : other).execute(
          {
            type: 'ReserveFunds',
            walletId,
            holdId: randomUUID(),
            amountMinor: 300n,
            expiresAt: '2026-11-22T03:00:00.000Z',
            reference: 'order',
            counterparty: 'merchant:m-1',
            now: NOW,
          },
          meta(),
        ),
      ),
    );
    await otherStore.close();
    expect(outcomes.filter((o) => o.kind === 'accepted')).toHaveLength(33);
    expect((await ledger.stateOf(walletId)).state).toMatchObject({ heldMinor: 9_900n });
  }, 60_000);

  it('ledger:check finds the ledger consistent, then reports each planted inconsistency', async () => {
    // Traffic: captures and a release, so there are postings on several accounts.
    const walletId = await openFunded(5_000n);
    for (const [holdId, amountMinor] of [
      ['h1', 1_000n],
      ['h2', 700n],
    ] as const) {
      await ledger.execute(
        {
          type: 'ReserveFunds',
          walletId,
          holdId,
          amountMinor,
          expiresAt: '2026-11-22T03:00:00.000Z',
          reference: 'order',
          counterparty: 'merchant:m-9',
          now: NOW,
        },
        meta(),
      );
    }
    await ledger.execute({ type: 'CaptureHold', walletId, holdId: 'h1', amountMinor: 900n, now: NOW }, meta());
    await ledger.execute({ type: 'ReleaseHold', walletId, holdId: 'h2', now: NOW }, meta());
    // The check reads in global order, which shows an append only once every transaction older than
    // it on the server has ended; test files running beside this one may hold one open for a moment.
    await allCommittedVisible(db.url, ['wallet']);
    const clean = await checkLedger(store, { now: NOW });
    expect(clean).toMatchObject({
      ok: true,
      sumMinor: '0',
      unbalancedTransactions: [],
      balanceMismatches: [],
      holdsOpenPastExpiry: [],
      brokenStreams: [],
    });
    // The holds of the 1,000-reservation test expire at 03:00; an hour later they count as left open.
    expect((await checkLedger(store, { now: '2026-11-22T04:00:00.000Z' })).holdsOpenPastExpiry.length).toBeGreaterThan(600);

    // Planted by hand, bypassing the decider: a credit whose postings say more than the wallet got,
    // and a credit whose postings do not balance.
    const planted = await ledger.open(
      `u-${randomUUID()}`,
      'basic',
      { ...prerequisites, identityFrozen: false, identityVerified: false },
      meta(),
      NOW,
    );
    const credited = (creditId: string, amountMinor: string, postings: Array<[string, string]>): NewEvent => ({
      id: randomUUID(),
      type: WALLET_EVENT.WalletCredited,
      data: {
        walletId: planted.walletId,
        creditId,
        amountMinor,
        reference: 'planted',
        counterparty: 'clearing:card:ICBC',
        creditedAt: NOW,
        transactionId: `${planted.walletId}:credit:${creditId}`,
        postings: postings.map(([account, amount]) => ({ account, amountMinor: amount })),
        idempotencyKey: `credit:${creditId}`,
        payloadFingerprint: '[]',
      },
      metadata: { correlationId: 'planted', causationId: 'planted', actor: 'system:test', occurredAt: NOW, schemaVersion: 1 },
    });
    await store.append(
      `wallet-${planted.walletId}`,
      [
        credited('p1', '100', [
          ['clearing:card:ICBC', '-150'],
          [`wallet:${planted.walletId}`, '150'],
        ]),
        credited('p2', '100', [
          ['clearing:card:ICBC', '-100'],
          [`wallet:${planted.walletId}`, '130'],
        ]),
      ],
      { expectedRevision: 0n },
    );

    await allCommittedVisible(db.url, ['wallet']);
    const report = await checkLedger(store, { now: NOW });
    expect(report.ok).toBe(false);
    expect(report.sumMinor).toBe('30');
    expect(report.unbalancedTransactions).toEqual([
      { transactionId: `${planted.walletId}:credit:p2`, stream: `wallet-${planted.walletId}`, reason: 'postings sum to 30' },
    ]);
    expect(report.balanceMismatches).toEqual([{ walletId: planted.walletId, projectedMinor: '280', streamMinor: '200' }]);
    expect(formatReport(report)).toMatch(/FAILED[\s\S]*sum of all accounts: 30 fen/);
  });
});

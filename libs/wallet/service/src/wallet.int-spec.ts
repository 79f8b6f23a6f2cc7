import { randomUUID } from 'node:crypto';
import { HEADER, pingCommand, walletContract, type CommandResult } from '@ledger/contracts';
import { headerValue } from '@ledger/messaging';
import { TopicRecorder, forbiddenAttempts, testKafka } from '@ledger/testing';
import { WALLET_ERROR, WALLET_EVENT } from '@ledger/wallet-domain';
import { checkLedger } from './ledger-check';
import { UPSTREAM_EVENT } from './upstream-events';
import { WalletHarness } from './testing/wallet-harness';

/** Real time plus an offset the test moves forward, to let time pass while the service is down. */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
const inSeconds = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000).toISOString();
const data = (result: CommandResult) => (result.status === 'accepted' ? (result.data ?? {}) : {});

describe('wallet service over the real broker and PostgreSQL', () => {
  let h: WalletHarness;
  let recorder: TopicRecorder;

  beforeAll(async () => {
    h = await WalletHarness.start('wallet', { clock });
    recorder = await new TopicRecorder(testKafka('wallet-events-test'), [`${h.topicPrefix}wallet.events`]).start();
  }, 120_000);

  afterAll(async () => {
    await recorder?.stop();
    await h?.stop();
  }, 60_000);

  it('answers its health probe', async () => {
    const result = await h.send(pingCommand('wallet'), {}, { key: 'health', actor: 'system:operator' });
    expect(result).toMatchObject({ status: 'accepted', data: { service: 'wallet' } });
  });

  it('refuses OpenWallet until identity and cards events satisfy the prerequisites, then opens once per user', async () => {
    const userId = `u-${randomUUID()}`;
    const refused = await h.send(walletContract.openWallet, { userId });
    expect(refused).toMatchObject({
      status: 'rejected',
      code: WALLET_ERROR.WALLET_PREREQUISITES_MISSING,
      details: { missing: ['registered', 'paymentPasswordSet', 'cardBound'] },
    });

    // Registered with a verified ID number: the wallet opens at the verified tier.
    await h.publishUpstream('identity', UPSTREAM_EVENT.UserRegistered, { userId, identityLevel: 'verified' });
    await h.publishUpstream('identity', UPSTREAM_EVENT.PaymentPasswordSet, { userId });
    const partly = await h.until(
      () => h.send(walletContract.openWallet, { userId }),
      (r) => r.status === 'rejected' && JSON.stringify(r.details?.missing) === JSON.stringify(['cardBound']),
    );
    expect(partly).toMatchObject({ code: WALLET_ERROR.WALLET_PREREQUISITES_MISSING });

    await h.publishUpstream('cards', UPSTREAM_EVENT.CardBound, { userId, cardId: 'card-1' });
    const opened = await h.until(
      // A user's own choice of tier is not taken: the identity level decides.
      () => h.send(walletContract.openWallet, { userId, tier: 'premium' }),
      (r) => r.status === 'accepted',
    );
    const walletId = String(data(opened).walletId);
    expect(data(opened)).toMatchObject({ userId, tier: 'verified' });

    const again = await h.send(walletContract.openWallet, { userId });
    expect(again).toMatchObject({ status: 'rejected', code: WALLET_ERROR.WALLET_ALREADY_OPEN, details: { walletId } });
    expect(await h.send(walletContract.getWalletByUser, { userId })).toMatchObject({
      status: 'accepted',
      data: { userId, walletId, status: 'active' },
    });
    expect(await h.send(walletContract.getBalance, { walletId })).toMatchObject({
      status: 'accepted',
      data: { totalMinor: '0', heldMinor: '0', availableMinor: '0' },
    });
  });

  it('opens a basic wallet for a user without a verified identity, and raises it to verified once identity verifies them', async () => {
    const userId = `u-${randomUUID()}`;
    await h.satisfyPrerequisites(userId);
    const opened = await h.until(
      () => h.send(walletContract.openWallet, { userId }),
      (r) => r.status === 'accepted',
    );
    expect(data(opened)).toMatchObject({ userId, tier: 'basic' });
    await h.publishUpstream('identity', UPSTREAM_EVENT.IdentityVerified, { userId, identityLevel: 'verified' });
    const walletId = String(data(opened).walletId);
    expect(
      await h.until(
        () => h.send(walletContract.getBalance, { walletId }),
        (r) => r.status === 'accepted' && r.data?.['tier'] === 'verified',
      ),
    ).toMatchObject({ data: { tier: 'verified' } });
  });

  it('opens one wallet per user when several opens race (reservation stream)', async () => {
    const userId = `u-${randomUUID()}`;
    await h.satisfyPrerequisites(userId);
    await h.until(
      async () => ({ status: 'accepted', commandId: 'facts', data: { ...(await h.runtime.upstream.factsOf(userId)) } }),
      (r) => data(r).cardBound === true && data(r).registered === true && data(r).paymentPasswordSet === true,
    );
    // Straight at the ledger, so the opens really run at once (over Kafka one user's commands share a partition).
    const now = new Date().toISOString();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => {
        const commandId = randomUUID();
        return h.runtime.ledger.open(
          userId,
          'basic',
          { registered: true, paymentPasswordSet: true, cardBound: true, identityFrozen: false, identityVerified: false },
          { commandId, correlationId: commandId, actor: 'system:test', occurredAt: now },
          now,
        );
      }),
    );
    expect(outcomes.filter((o) => o.kind === 'accepted')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'rejected' && o.code === WALLET_ERROR.WALLET_ALREADY_OPEN)).toHaveLength(4);
    expect(new Set(outcomes.map((o) => o.walletId)).size).toBe(1);
    expect(await h.store.readStream(`walletuser-${userId}`)).toHaveLength(1);
  });

  it('moves money in two phases and answers duplicates with the original result', async () => {
    const { walletId } = await h.openWallet();
    expect(await h.credit(walletId, '10000')).toMatchObject({
      status: 'accepted',
      data: { event: WALLET_EVENT.WalletCredited, amountMinor: '10000' },
    });

    const reserve = {
      walletId,
      holdId: randomUUID(),
      amountMinor: '2500',
      expiresAt: inSeconds(600),
      reference: 'order-1',
      counterparty: 'merchant:m-1',
    };
    const first = await h.send(walletContract.reserveFunds, reserve);
    expect(first).toMatchObject({
      status: 'accepted',
      data: { event: WALLET_EVENT.FundsReserved, holdId: reserve.holdId, amountMinor: '2500' },
    });
    // Same key (hold id) and payload under a new command id: the original result, one effect.
    const repeat = await h.send(walletContract.reserveFunds, reserve);
    expect(repeat.status).toBe('accepted');
    expect(data(repeat)).toEqual(data(first));
    // The same command id re-delivered: also the original result.
    const redelivered = await h.send(walletContract.reserveFunds, reserve, { commandId: first.commandId });
    expect(data(redelivered)).toEqual(data(first));
    // Same key, other payload.
    expect(await h.send(walletContract.reserveFunds, { ...reserve, amountMinor: '2600' })).toMatchObject({
      status: 'rejected',
      code: WALLET_ERROR.IDEMPOTENCY_KEY_REUSED,
    });
    expect(await h.balance(walletId)).toMatchObject({ data: { totalMinor: '10000', heldMinor: '2500', availableMinor: '7500' } });

    const capture = await h.send(walletContract.captureHold, { walletId, holdId: reserve.holdId, amountMinor: '2000' });
    expect(capture).toMatchObject({
      status: 'accepted',
      data: {
        amountMinor: '2000',
        releasedMinor: '500',
        postings: [
          { account: `wallet:${walletId}`, amountMinor: '-2000' },
          { account: 'merchant:m-1', amountMinor: '2000' },
        ],
      },
    });
    expect(data(await h.send(walletContract.captureHold, { walletId, holdId: reserve.holdId, amountMinor: '2000' }))).toEqual(
      data(capture),
    );
    expect(await h.send(walletContract.captureHold, { walletId, holdId: reserve.holdId, amountMinor: '1000' })).toMatchObject({
      code: WALLET_ERROR.IDEMPOTENCY_KEY_REUSED,
    });
    expect(await h.send(walletContract.releaseHold, { walletId, holdId: reserve.holdId })).toMatchObject({
      code: WALLET_ERROR.HOLD_ALREADY_SETTLED,
      details: { settledAs: 'captured' },
    });
    expect(await h.send(walletContract.releaseHold, { walletId, holdId: 'nope' })).toMatchObject({ code: WALLET_ERROR.HOLD_NOT_FOUND });

    const credit = { walletId, creditId: randomUUID(), amountMinor: '300', reference: 'refund', counterparty: 'clearing:refund' };
    const credited = await h.send(walletContract.creditWallet, credit);
    expect(data(await h.send(walletContract.creditWallet, credit))).toEqual(data(credited));
    expect(await h.send(walletContract.creditWallet, { ...credit, amountMinor: '301' })).toMatchObject({
      code: WALLET_ERROR.IDEMPOTENCY_KEY_REUSED,
    });
    expect(await h.balance(walletId)).toMatchObject({ data: { totalMinor: '8300', heldMinor: '0', availableMinor: '8300' } });

    expect(await h.send(walletContract.reserveFunds, { ...reserve, holdId: randomUUID(), amountMinor: '8301' })).toMatchObject({
      code: WALLET_ERROR.INSUFFICIENT_FUNDS,
      details: { availableMinor: '8300' },
    });
    expect(await h.send(walletContract.reserveFunds, { ...reserve, holdId: randomUUID(), amountMinor: '200001' })).toMatchObject({
      code: WALLET_ERROR.LIMIT_EXCEEDED,
      details: { limit: 'per_payment' },
    });
    expect(await h.credit(walletId, '999999999')).toMatchObject({ code: WALLET_ERROR.BALANCE_CAP_EXCEEDED });
    expect(await h.send(walletContract.reserveFunds, { ...reserve, holdId: randomUUID(), amountMinor: '0' })).toMatchObject({
      code: 'INVALID_COMMAND',
    });
    expect(
      await h.send(walletContract.creditWallet, { ...credit, creditId: randomUUID(), counterparty: `wallet:${walletId}` }),
    ).toMatchObject({ code: 'INVALID_COMMAND' });
    expect(await h.send(walletContract.getBalance, { walletId: 'never-opened' })).toMatchObject({ code: WALLET_ERROR.WALLET_NOT_OPEN });

    // The relay publishes the committed events on wallet.events, keyed by the stream.
    const published = await recorder.waitFor(
      ({ message }) =>
        headerValue(message.headers, HEADER.messageType) === WALLET_EVENT.HoldCaptured && message.key?.toString() === `wallet-${walletId}`,
    );
    expect(JSON.parse(published.message.value!.toString())).toMatchObject({ holdId: reserve.holdId, amountMinor: '2000' });
  });

  it('pays a counterparty in one command: answered with the capture, also when repeated or redelivered; only as the owner', async () => {
    const { userId, walletId } = await h.openWallet();
    await h.credit(walletId, '1000');
    const payment = {
      walletId,
      holdId: randomUUID(),
      amountMinor: '400',
      expiresAt: inSeconds(600),
      reference: 'order-2',
      counterparty: 'merchant:m-1',
    };
    expect(await h.send(walletContract.payFromWallet, payment, { actor: 'user:someone-else' })).toMatchObject({ code: 'FORBIDDEN' });
    const paid = await h.send(walletContract.payFromWallet, payment, { actor: `user:${userId}` });
    expect(paid).toMatchObject({
      status: 'accepted',
      data: {
        event: WALLET_EVENT.HoldCaptured,
        holdId: payment.holdId,
        amountMinor: '400',
        postings: [
          { account: `wallet:${walletId}`, amountMinor: '-400' },
          { account: 'merchant:m-1', amountMinor: '400' },
        ],
      },
    });
    expect(data(await h.send(walletContract.payFromWallet, payment))).toEqual(data(paid));
    expect(data(await h.send(walletContract.payFromWallet, payment, { commandId: paid.commandId }))).toEqual(data(paid));
    expect(await h.send(walletContract.payFromWallet, { ...payment, amountMinor: '401' })).toMatchObject({
      code: WALLET_ERROR.IDEMPOTENCY_KEY_REUSED,
    });
    expect(await h.send(walletContract.payFromWallet, { ...payment, holdId: randomUUID(), amountMinor: '601' })).toMatchObject({
      code: WALLET_ERROR.INSUFFICIENT_FUNDS,
      details: { availableMinor: '600' },
    });
    expect(await h.balance(walletId)).toMatchObject({ data: { totalMinor: '600', heldMinor: '0', openHolds: [] } });
  });

  it('lets users act only on their own wallet, and support alone freeze by command', async () => {
    const { userId, walletId } = await h.openWallet();
    expect(await h.send(walletContract.getBalance, { walletId }, { actor: `user:${userId}` })).toMatchObject({ status: 'accepted' });
    expect(await h.send(walletContract.getBalance, { walletId }, { actor: 'user:someone-else' })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await h.send(walletContract.freezeWallet, { walletId, reason: 'x' }, { actor: `user:${userId}` })).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await h.send(walletContract.freezeWallet, { walletId, reason: 'lost phone' }, { actor: 'support:agent-7' })).toMatchObject({
      status: 'accepted',
      data: { changed: true },
    });
    expect(await h.send(walletContract.freezeWallet, { walletId, reason: 'again' }, { actor: 'support:agent-7' })).toMatchObject({
      status: 'accepted',
      data: { changed: false },
    });
    // Credits follow the default policy (accept) while frozen; reservations are refused.
    expect(await h.credit(walletId, '500')).toMatchObject({ status: 'accepted' });
    expect(
      await h.send(walletContract.reserveFunds, {
        walletId,
        holdId: randomUUID(),
        amountMinor: '100',
        expiresAt: inSeconds(600),
        reference: 'r',
        counterparty: 'merchant:m-1',
      }),
    ).toMatchObject({ code: WALLET_ERROR.WALLET_FROZEN, details: { frozenBy: 'support' } });
    expect(
      await h.send(walletContract.unfreezeWallet, { walletId, reason: 'identity re-verified' }, { actor: 'support:agent-7' }),
    ).toMatchObject({ status: 'accepted', data: { changed: true } });
    expect(await h.send(walletContract.changeWalletTier, { walletId, tier: 'premium' }, { actor: 'system:identity' })).toMatchObject({
      status: 'accepted',
      data: { tier: 'premium', changed: true },
    });
    expect(await h.balance(walletId)).toMatchObject({ data: { status: 'active', tier: 'premium', totalMinor: '500' } });
  });

  it('refuses every money-moving and staff command from a sender its contract does not list, or asserting an actor that sender may not assert; nothing is recorded', async () => {
    const { userId, walletId } = await h.openWallet();
    await h.credit(walletId, '1000');
    const hold = {
      walletId,
      holdId: randomUUID(),
      amountMinor: '100',
      expiresAt: inSeconds(600),
      reference: 'forged',
      counterparty: 'merchant:m-1',
    } as const;
    await h.send(walletContract.reserveFunds, hold);
    const before = await h.store.readStream(`wallet-${walletId}`);
    const commands = [
      [
        walletContract.creditWallet,
        { walletId, creditId: randomUUID(), amountMinor: '1', reference: 'forged', counterparty: 'clearing:card:ICBC' },
      ],
      [walletContract.reserveFunds, { ...hold, holdId: randomUUID() }],
      [walletContract.payFromWallet, { ...hold, holdId: randomUUID() }],
      [walletContract.captureHold, { walletId, holdId: hold.holdId, amountMinor: '100' }],
      [walletContract.releaseHold, { walletId, holdId: hold.holdId }],
      [walletContract.freezeWallet, { walletId, reason: 'forged' }],
      [walletContract.unfreezeWallet, { walletId, reason: 'forged' }],
      [walletContract.changeWalletTier, { walletId, tier: 'premium' }],
    ] as const;
    const sent = commands.flatMap(([contract, payload]) =>
      forbiddenAttempts(contract, userId).map(async ({ sender, actor }) => ({
        command: contract.type,
        sender,
        actor,
        result: await h.client.send(contract, payload as never, { key: walletId, actor, sender }),
      })),
    );
    const outcomes = await Promise.all(sent);
    expect(outcomes.length).toBeGreaterThan(100);
    for (const { command, sender, actor, result } of outcomes)
      expect({ command, sender, actor, code: result.status === 'rejected' ? result.code : 'accepted' }).toEqual({
        command,
        sender,
        actor,
        code: 'FORBIDDEN',
      });
    // The attack of record: a plain producer on the internal systems' topic claiming to be a system may not credit a wallet.
    expect(outcomes).toContainEqual(
      expect.objectContaining({ command: walletContract.creditWallet.type, sender: 'internal', actor: 'system:risk-engine' }),
    );
    expect(await h.store.readStream(`wallet-${walletId}`)).toEqual(before);
    expect(await h.balance(walletId)).toMatchObject({ data: { totalMinor: '1000', heldMinor: '100', tier: 'basic', status: 'active' } });
  });

  it('freezes the wallet when identity publishes AccountFrozen, and unfreezes it on AccountUnfrozen', async () => {
    const { userId, walletId } = await h.openWallet();
    await h.credit(walletId, '10000');
    await h.publishUpstream('identity', UPSTREAM_EVENT.AccountFrozen, { userId, reason: 'lost phone' });
    const reserve = () =>
      h.send(walletContract.reserveFunds, {
        walletId,
        holdId: randomUUID(),
        amountMinor: '1',
        expiresAt: inSeconds(600),
        reference: 'r',
        counterparty: 'merchant:m-1',
      });
    const blocked = await h.until(reserve, (r) => r.status === 'rejected');
    expect(blocked).toMatchObject({ code: WALLET_ERROR.WALLET_FROZEN, details: { frozenBy: 'identity' } });
    expect(await h.balance(walletId)).toMatchObject({ data: { status: 'frozen', totalMinor: '10000' } });

    await h.publishUpstream('identity', UPSTREAM_EVENT.AccountUnfrozen, { userId });
    await h.until(reserve, (r) => r.status === 'accepted');
    const frozenEvents = (await h.store.readStream(`wallet-${walletId}`)).filter((e) => e.type === WALLET_EVENT.WalletFrozen);
    expect(frozenEvents).toHaveLength(1);
  });

  it('settles concurrent reservations over Kafka exactly to the available balance', async () => {
    const { walletId } = await h.openWallet();
    await h.credit(walletId, '1000');
    const results = await Promise.all(
      Array.from({ length: 60 }, () =>
        h.send(walletContract.reserveFunds, {
          walletId,
          holdId: randomUUID(),
          amountMinor: '30',
          expiresAt: inSeconds(600),
          reference: 'r',
          counterparty: 'merchant:m-2',
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(33);
    expect(results.filter((r) => r.status === 'rejected' && r.code === WALLET_ERROR.INSUFFICIENT_FUNDS)).toHaveLength(27);
    expect(await h.balance(walletId)).toMatchObject({ data: { totalMinor: '1000', heldMinor: '990', availableMinor: '10' } });
  });

  it('keeps one wallet exact under 1,000 concurrent reservations and their captures over Kafka, each capture also sent twice', async () => {
    const { walletId } = await h.openWallet();
    await h.credit(walletId, '100000');
    const holds = Array.from({ length: 1000 }, () => randomUUID());
    const reserved = await Promise.all(
      holds.map((holdId) =>
        h.send(walletContract.reserveFunds, {
          walletId,
          holdId,
          amountMinor: '150',
          expiresAt: inSeconds(600),
          reference: 'r',
          counterparty: 'merchant:m-9',
        }),
      ),
    );
    const accepted = holds.filter((_, index) => reserved[index]!.status === 'accepted');
    // floor(100000 / 150): never a reservation beyond the balance.
    expect(accepted).toHaveLength(666);
    const captures = await Promise.all(
      [...accepted, ...accepted].map((holdId) => h.send(walletContract.captureHold, { walletId, holdId, amountMinor: '150' })),
    );
    expect(captures.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(await h.balance(walletId)).toMatchObject({
      data: { totalMinor: String(100_000 - 666 * 150), heldMinor: '0', availableMinor: '100' },
    });
    const ledger = await checkLedger(h.store);
    expect(ledger).toMatchObject({ ok: true, sumMinor: '0' });
  }, 180_000);

  it('expires holds through the durable timer, also after a restart past their expiry', async () => {
    const { walletId } = await h.openWallet();
    await h.credit(walletId, '5000');
    const holdId = randomUUID();
    const capturedHoldId = randomUUID();
    const expiresAt = inSeconds(60);
    expect(
      await h.send(walletContract.reserveFunds, {
        walletId,
        holdId,
        amountMinor: '1200',
        expiresAt,
        reference: 'r',
        counterparty: 'merchant:m-3',
      }),
    ).toMatchObject({ status: 'accepted' });
    expect(
      await h.send(walletContract.reserveFunds, {
        walletId,
        holdId: capturedHoldId,
        amountMinor: '800',
        expiresAt,
        reference: 'r',
        counterparty: 'merchant:m-3',
      }),
    ).toMatchObject({ status: 'accepted' });
    expect(await h.send(walletContract.captureHold, { walletId, holdId: capturedHoldId, amountMinor: '800' })).toMatchObject({
      status: 'accepted',
    });
    // Wait until the timer subscription has recorded the hold, then stop the service before expiry.
    await h.until(
      async () => ({
        status: 'accepted',
        commandId: 'x',
        data: { n: (await h.runtime.pool.query('SELECT 1 FROM wallet.hold_timers WHERE hold_id = $1', [holdId])).rowCount },
      }),
      (r) => data(r).n === 1,
      10_000,
    );
    await h.stopService();
    expect(clock.now().getTime()).toBeLessThan(Date.parse(expiresAt)); // stopped before the hold was due

    // While the service is down, its clock passes the expiry.
    clock.offsetMs += 120_000;
    const beforeRestart = await h.store.readStream(`wallet-${walletId}`);
    expect(beforeRestart.some((e) => e.type === WALLET_EVENT.HoldExpired)).toBe(false);

    await h.startService();
    const expired = await h.until(
      () => h.balance(walletId),
      (r) => data(r).heldMinor === '0',
      20_000,
    );
    expect(expired).toMatchObject({ data: { totalMinor: '4200', heldMinor: '0', availableMinor: '4200' } });
    const events = await h.store.readStream(`wallet-${walletId}`);
    expect(events.filter((e) => e.type === WALLET_EVENT.HoldExpired).map((e) => e.data.holdId)).toEqual([holdId]);
    expect(await h.send(walletContract.captureHold, { walletId, holdId, amountMinor: '1200' })).toMatchObject({
      code: WALLET_ERROR.HOLD_ALREADY_SETTLED,
      details: { settledAs: 'expired' },
    });
    const { rowCount } = await h.runtime.pool.query('SELECT 1 FROM wallet.hold_timers WHERE wallet_id = $1', [walletId]);
    expect(rowCount).toBe(0);
  }, 60_000);

  it('leaves a ledger that ledger:check finds consistent after all of the above', async () => {
    const report = await checkLedger(h.store, { expiryGraceMs: 600_000 });
    expect(report).toMatchObject({
      ok: true,
      sumMinor: '0',
      unbalancedTransactions: [],
      balanceMismatches: [],
      holdsOpenPastExpiry: [],
      brokenStreams: [],
    });
    expect(report.transactions).toBeGreaterThan(5);
  });
});

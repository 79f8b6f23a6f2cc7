import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { HEADER, cardsContract as cards, identityContract as identity, topics, walletContract } from '@ledger/contracts';
import { TEST_CARDS } from '@ledger/util/testing';
import { headerValue, producerDefaults } from '@ledger/messaging';
import { TopicRecorder, testKafka } from '@ledger/testing';
import { Client } from 'pg';
import { base32Decode, totp } from '@ledger/crypto';
import { GOOD_PAYMENT_PASSWORD, randomPhone, startIdentityHarness, type IdentityHarness } from '@ledger/identity-service/testing';
import { expectAccepted, expectRejected, newUserId, startCardsHarness, type CardsHarness } from '@ledger/cards-service/testing';

jest.setTimeout(180_000);

/**
 * UnbindCard across two real services: cards asks the identity service (booted in this process on
 * the same topic prefix and the same gateway field keyring) to verify the payment password over
 * Kafka, and passes identity's answers through unchanged. With the user's second factor on, binding
 * and unbinding also need its dynamic code, which identity checks.
 */
describe('unbinding a card with the payment password verified by the identity service', () => {
  let id: IdentityHarness;
  let h: CardsHarness;
  let events: TopicRecorder;
  let userId: string;

  beforeAll(async () => {
    id = await startIdentityHarness('cards_e2e_identity');
    h = await startCardsHarness('cards_e2e', { topicPrefix: id.topicPrefix, fieldKeyring: id.fieldKeyring });
    events = await new TopicRecorder(testKafka('cards-e2e-events'), [h.eventsTopic]).start();
    userId = await id.register(randomPhone());
    expectAccepted(
      await id.send(
        identity.setPaymentPassword,
        { userId, paymentPassword: id.enc('paymentPassword', GOOD_PAYMENT_PASSWORD) },
        `user:${userId}`,
        { key: userId },
      ),
    );
  });

  afterAll(async () => {
    await events?.stop();
    await h?.stop();
    await id?.stop();
  });

  const unbind = (cardId: string, password: string, actor = `user:${userId}`) =>
    h.send(cards.unbindCard, { userId, cardId, paymentPassword: id.enc('paymentPassword', password) }, actor, { key: userId });

  it('refuses a wrong password with attemptsLeft, then unbinds with the right one and moves the default', async () => {
    const debit = expectAccepted(await h.bind(userId, TEST_CARDS.zhangSanDebit));
    const second = expectAccepted(await h.bind(userId, TEST_CARDS.zhangSanSecond));
    expect(debit['isDefault']).toBe(true);

    const wrong = expectRejected(await unbind(String(debit['cardId']), '000000'), 'WRONG_PAYMENT_PASSWORD');
    expect(wrong.details).toEqual({ attemptsLeft: 4 });
    expect(await h.list(userId, (list) => list.length === 2)).toHaveLength(2);

    const done = expectAccepted(await unbind(String(debit['cardId']), GOOD_PAYMENT_PASSWORD));
    expect(done).toMatchObject({
      cardId: debit['cardId'],
      remainingCards: 1,
      defaultCardId: second['cardId'],
      lastCardOfOpenWallet: false,
    });
    const left = await h.list(userId, (list) => list.length === 1 && list[0]!.isDefault);
    expect(left[0]).toMatchObject({ cardId: second['cardId'], maskedNumber: '**** **** **** 6781' });

    const published = await events.waitFor((m) => headerValue(m.message.headers, HEADER.messageType) === cards.EVENT_TYPES.CardUnbound);
    expect(JSON.parse(published.message.value!.toString())).toMatchObject({
      userId,
      cardId: debit['cardId'],
      wasDefault: true,
      remainingCards: 1,
    });

    // The fingerprint was released: the card can be bound again (here by another user, whom identity knows: binding asks it for the second factor).
    expectAccepted(await h.bind(await id.register(randomPhone()), TEST_CARDS.zhangSanDebit));
  });

  it('checks owner and card before spending a password attempt', async () => {
    const [card] = await h.list(userId, (list) => list.length === 1);
    expectRejected(await unbind(card!.cardId, GOOD_PAYMENT_PASSWORD, `user:${newUserId()}`), 'NOT_CARD_OWNER');
    expectRejected(await unbind(card!.cardId, GOOD_PAYMENT_PASSWORD, 'support:agent-1'), 'FORBIDDEN');
    expectRejected(await unbind('card_nosuchcard', '000000'), 'CARD_NOT_FOUND');
  });

  it('unbinds the last card of an open wallet, and reports it', async () => {
    // The wallet service announces the open wallet on wallet.events; cards follows it.
    const producer = testKafka('cards-e2e-wallet').producer(producerDefaults);
    await producer.connect();
    await producer.send({
      topic: `${id.topicPrefix}${topics.events(walletContract.CONTEXT)}`,
      messages: [
        {
          key: `wallet-w-${userId}`,
          value: JSON.stringify({ walletId: `w-${userId}`, userId, tier: 'basic', openedAt: new Date().toISOString() }),
          headers: { [HEADER.messageType]: walletContract.EVENT_TYPES.WalletOpened, [HEADER.messageId]: randomUUID() },
        },
      ],
    });
    await producer.disconnect();
    const db = new Client({ connectionString: h.db.url });
    await db.connect();
    try {
      const deadline = Date.now() + 30_000;
      while ((await db.query('SELECT 1 FROM cards_read.open_wallets WHERE user_id = $1', [userId])).rows.length === 0) {
        if (Date.now() > deadline) throw new Error('the open wallet never reached the cards service');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await db.end();
    }

    const [card] = await h.list(userId, (list) => list.length === 1);
    const done = expectAccepted(await unbind(card!.cardId, GOOD_PAYMENT_PASSWORD));
    expect(done).toMatchObject({ remainingCards: 0, lastCardOfOpenWallet: true, defaultCardId: null });
    await h.list(userId, (list) => list.length === 0);
    // Bound again for the next test: the released card is free for its owner too.
    expect(expectAccepted(await h.bind(userId, TEST_CARDS.zhangSanSecond))).toMatchObject({ isDefault: true });
  });

  it("passes identity's lockout through unchanged, with the unlock time", async () => {
    const [card] = await h.list(userId, (list) => list.length === 1);
    let last = await unbind(card!.cardId, '111111');
    for (let attempt = 1; attempt < 10 && last.status === 'rejected' && last.code === 'WRONG_PAYMENT_PASSWORD'; attempt += 1)
      last = await unbind(card!.cardId, '111111');
    const locked = expectRejected(last, 'PAYMENT_PASSWORD_LOCKED');
    expect(String(locked.details?.['lockedUntil'])).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // Locked means locked: even the right password is refused, and the card stays bound.
    expectRejected(await unbind(card!.cardId, GOOD_PAYMENT_PASSWORD), 'PAYMENT_PASSWORD_LOCKED');
    expect(await h.list(userId, (list) => list.length === 1)).toHaveLength(1);
  });

  it('with the second factor on, binding and unbinding a card need its dynamic code', async () => {
    const owner = await id.register(randomPhone());
    const me = `user:${owner}`;
    expectAccepted(
      await id.send(identity.setPaymentPassword, { userId: owner, paymentPassword: id.enc('paymentPassword', GOOD_PAYMENT_PASSWORD) }, me, {
        key: owner,
      }),
    );
    const enabled = expectAccepted(await id.send(identity.enableSecondFactor, { userId: owner }, me, { key: owner }));
    const secret = base32Decode(/secret=([A-Z2-7]+)/.exec(id.dec('provisioningUri', String(enabled['provisioningUri'])))![1]!);
    const code = () => totp(secret, id.clock.now().getTime());
    const wrongCode = () => String((Number(code()) + 500_000) % 1_000_000).padStart(6, '0');
    expectAccepted(
      await id.send(identity.confirmSecondFactor, { userId: owner, secondFactorCode: id.enc('secondFactorCode', code()) }, me, {
        key: owner,
      }),
    );
    const sealed = (plaintext: string) => id.enc('secondFactorCode', plaintext);

    expect(expectRejected(await h.bind(owner, TEST_CARDS.liSi), 'SECOND_FACTOR_REQUIRED').details).toEqual({ operation: 'bind_card' });
    expect(
      expectRejected(await h.bind(owner, TEST_CARDS.liSi, { secondFactorCode: sealed(wrongCode()) }), 'INVALID_SECOND_FACTOR').details,
    ).toEqual({ attemptsLeft: 4 });
    const bound = expectAccepted(await h.bind(owner, TEST_CARDS.liSi, { secondFactorCode: sealed(code()) }));
    const cardId = String(bound['cardId']);

    const unbindWith = (password: string, secondFactorCode?: string) =>
      h.send(
        cards.unbindCard,
        {
          userId: owner,
          cardId,
          paymentPassword: id.enc('paymentPassword', password),
          ...(secondFactorCode === undefined ? {} : { secondFactorCode: sealed(secondFactorCode) }),
        },
        me,
        { key: owner },
      );
    expect(expectRejected(await unbindWith(GOOD_PAYMENT_PASSWORD), 'SECOND_FACTOR_REQUIRED').details).toEqual({ operation: 'unbind_card' });
    // The password is checked first: a wrong one costs no dynamic-code attempt.
    expectRejected(await unbindWith('111222', wrongCode()), 'WRONG_PAYMENT_PASSWORD');
    expect(expectRejected(await unbindWith(GOOD_PAYMENT_PASSWORD, wrongCode()), 'INVALID_SECOND_FACTOR').details).toEqual({
      attemptsLeft: 3,
    });
    expect(await h.list(owner, (list) => list.length === 1)).toHaveLength(1);
    expect(expectAccepted(await unbindWith(GOOD_PAYMENT_PASSWORD, code()))).toMatchObject({ cardId, remainingCards: 0 });
  });
});

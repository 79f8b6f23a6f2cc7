import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { HEADER, cardsContract as cards, pingCommand } from '@ledger/contracts';
import { HASH_PURPOSE, encryptField, fingerprint } from '@ledger/crypto';
import { CARDS_EVENT, cardFingerprintStreamId } from '@ledger/cards-domain';
import { LUHN_INVALID_CARD_NUMBER, TEST_CARDS, UNKNOWN_ICBC_CARD_NUMBER } from '@ledger/util/testing';
import { headerValue } from '@ledger/messaging';
import { DEFAULT_PARTNER_RETRY } from '@ledger/partners-http';
import { TopicRecorder, testKafka } from '@ledger/testing';
import { Partitioners } from 'kafkajs';
import { CARDS_CONTEXT } from './cards.module';
import { cardIdFor } from './infra/ids';
import { expectAccepted, expectRejected, newUserId, startCardsHarness, type CardsHarness } from './testing/cards-harness';

jest.setTimeout(120_000);

/** The partition a key lands on among the 4 of `cards.commands` (KafkaJS's default partitioner, murmur2). */
function partitionOf(key: string): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
  return partitioner({ topic: 'cards.commands', partitionMetadata, message: { key, value: null } });
}

describe('cards service over the real broker', () => {
  let h: CardsHarness;
  let events: TopicRecorder;
  const zhangSan = newUserId();

  beforeAll(async () => {
    h = await startCardsHarness('cards_int');
    events = await new TopicRecorder(testKafka('cards-int-events'), [h.eventsTopic]).start();
  });

  afterAll(async () => {
    await events?.stop();
    await h?.stop();
  });

  /** Plants a fingerprint reservation as a binding that crashed after its first append would leave it. */
  async function plantReservation(cardNumber: string, userId: string, cardId: string): Promise<void> {
    const fp = fingerprint(HASH_PURPOSE.card, cardNumber, h.pepperKeyring);
    const occurredAt = h.clock.now().toISOString();
    await h.store.append(
      cardFingerprintStreamId(fp),
      [
        {
          id: randomUUID(),
          type: CARDS_EVENT.CardFingerprintReserved,
          data: { fingerprint: fp, userId, cardId, reservedAt: occurredAt },
          metadata: { correlationId: randomUUID(), causationId: randomUUID(), actor: 'system:test', occurredAt, schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
  }

  it('answers its health probe', async () => {
    const result = await h.client.send(pingCommand(CARDS_CONTEXT), {}, { key: 'health', actor: 'system:operator', sender: 'operator' });
    expect(result).toMatchObject({ status: 'accepted', data: { service: 'cards' } });
  });

  it('binds two cards: the first becomes the default, the list shows masked numbers only', async () => {
    const first = expectAccepted(await h.bind(zhangSan, TEST_CARDS.zhangSanDebit));
    expect(first).toMatchObject({ maskedNumber: '**** **** **** 3452', last4: '3452', issuer: 'ICBC', cardType: 'debit', isDefault: true });
    const second = expectAccepted(await h.bind(zhangSan, TEST_CARDS.zhangSanSecond));
    expect(second).toMatchObject({ maskedNumber: '**** **** **** 6781', isDefault: false });

    const listed = await h.list(zhangSan, (list) => list.length === 2);
    expect(listed).toEqual([
      expect.objectContaining({
        cardId: first['cardId'],
        maskedNumber: '**** **** **** 3452',
        holderNameMasked: '*三',
        status: 'active',
        isDefault: true,
      }),
      expect.objectContaining({ cardId: second['cardId'], maskedNumber: '**** **** **** 6781', status: 'active', isDefault: false }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(TEST_CARDS.zhangSanDebit.number);

    // Published on cards.events for the wallet: userId and cardId, without fingerprint or token.
    const bound = await events.waitFor(
      (m) =>
        headerValue(m.message.headers, HEADER.messageType) === cards.EVENT_TYPES.CardBound &&
        m.message.value!.toString().includes(String(first['cardId'])),
    );
    const data = JSON.parse(bound.message.value!.toString()) as Record<string, unknown>;
    expect(data).toMatchObject({ userId: zhangSan, cardId: first['cardId'], last4: '3452' });
    expect(data).not.toHaveProperty('fingerprint');
    expect(data).not.toHaveProperty('cardToken');
    await events.waitFor((m) => headerValue(m.message.headers, HEADER.messageType) === cards.EVENT_TYPES.DefaultCardChanged);
    expect(events.messages.every((m) => !String(headerValue(m.message.headers, HEADER.messageType)).includes('Fingerprint'))).toBe(true);
  });

  it('answers a re-sent BindCard (same command id) with the original card', async () => {
    const commandId = randomUUID();
    const user = newUserId();
    const first = expectAccepted(await h.bind(user, TEST_CARDS.zhangSanCredit, { commandId }));
    const again = expectAccepted(await h.bind(user, TEST_CARDS.zhangSanCredit, { commandId }));
    expect(again['cardId']).toBe(first['cardId']);
    expect(first['cardId']).toBe(cardIdFor(commandId));
  });

  it('rejects each invalid binding with its own code', async () => {
    const someone = newUserId();
    expect(expectRejected(await h.bind(someone, TEST_CARDS.nonIcbc), 'CARD_NOT_SUPPORTED').details).toMatchObject({
      issuer: 'ABC',
      last4: '3452',
    });
    expect(
      expectRejected(await h.bind(someone, { ...TEST_CARDS.zhangSanDebit, number: LUHN_INVALID_CARD_NUMBER }), 'INVALID_CARD_NUMBER')
        .details,
    ).toEqual({ reason: 'luhn' });
    expect(
      expectRejected(await h.bind(someone, { ...TEST_CARDS.zhangSanDebit, number: '6222 0200 0012' }), 'INVALID_CARD_NUMBER').details,
    ).toEqual({ reason: 'too_short' });
    expect(
      expectRejected(await h.bind(someone, { ...TEST_CARDS.zhangSanDebit, number: UNKNOWN_ICBC_CARD_NUMBER }), 'INVALID_CARD_NUMBER')
        .details,
    ).toEqual({ reason: 'unknown_card' });
    expectRejected(await h.bind(someone, TEST_CARDS.expired), 'CARD_EXPIRED');
    expectRejected(await h.bind(someone, TEST_CARDS.blocked), 'CARD_BLOCKED');
    expectRejected(await h.bind(someone, TEST_CARDS.liSi, { holderName: '张三' }), 'CARD_HOLDER_MISMATCH');
    expectRejected(await h.bind(someone, TEST_CARDS.liSi, { reservedPhone: '13700137000' }), 'RESERVED_PHONE_MISMATCH');
    expect(expectRejected(await h.bind(zhangSan, TEST_CARDS.zhangSanDebit), 'CARD_ALREADY_BOUND').details).toHaveProperty('cardId');
    expect(expectRejected(await h.bind(someone, TEST_CARDS.zhangSanDebit), 'CARD_BOUND_TO_ANOTHER_USER').details).toBeUndefined();
  });

  it('checks the actor, the encryption and the issuer being reachable', async () => {
    const owner = newUserId();
    const payload = {
      userId: owner,
      cardNumber: h.enc('cardNumber', TEST_CARDS.liSi.number),
      holderName: h.enc('holderName', '李四'),
      reservedPhone: h.enc('reservedPhone', TEST_CARDS.liSi.reservedPhone),
    };
    expectRejected(await h.send(cards.bindCard, payload, `user:${newUserId()}`), 'NOT_CARD_OWNER');
    // Support may not bind a card for a customer: the contract lets the gateway assert only the user.
    expectRejected(await h.send(cards.bindCard, payload, 'support:agent-7'), 'FORBIDDEN');
    expectRejected(await h.send(cards.listCards, { userId: owner }, `user:${newUserId()}`), 'NOT_CARD_OWNER');
    expectAccepted(await h.send(cards.listCards, { userId: owner }, 'support:agent-7'));
    // A plain-text number never passes the schema (it goes to dead letters as it came: the sender's bug).
    expectRejected(await h.send(cards.bindCard, { ...payload, cardNumber: 'enc:v1:not-really' }, `user:${owner}`), 'INVALID_INPUT');
    expectRejected(
      await h.client.send(cards.bindCard, { ...payload, cardNumber: 'plain' } as never, { key: owner, actor: `user:${owner}` }),
      'INVALID_COMMAND',
    );
    // A card number encrypted for another field does not open as a card number.
    const forAnotherField = encryptField(TEST_CARDS.liSi.number, h.fieldKeyring, 'identity:paymentPassword');
    expect(
      expectRejected(await h.send(cards.bindCard, { ...payload, cardNumber: forAnotherField }, `user:${owner}`), 'INVALID_INPUT').details,
    ).toEqual({ field: 'cardNumber' });
    // Every attempt of the adapter's bounded retries is refused (one refusal alone is retried away).
    h.issuer.failNext(DEFAULT_PARTNER_RETRY.attempts, 'unavailable', { operation: 'verifyCard' });
    expect(expectRejected(await h.send(cards.bindCard, payload, `user:${owner}`), 'ISSUER_UNAVAILABLE').details).toMatchObject({
      failure: 'unavailable',
    });
  });

  it('lets exactly one of two users bind the same card concurrently', async () => {
    // Two users whose commands land on different partitions, so the service really handles them at once;
    // a slow issuer keeps both bindings in flight until they race for the fingerprint.
    const first = newUserId();
    let second = newUserId();
    for (let tries = 0; tries < 100 && partitionOf(second) === partitionOf(first); tries += 1) second = newUserId();
    expect(partitionOf(second)).not.toBe(partitionOf(first));
    h.issuer.setCardStatus(TEST_CARDS.blocked.number, 'active');
    h.issuer.slow(500);
    try {
      const results = await Promise.all([h.bind(first, TEST_CARDS.blocked), h.bind(second, TEST_CARDS.blocked)]);
      expect(results.filter((r) => r.status === 'accepted')).toHaveLength(1);
      const loser = results.find((r) => r.status === 'rejected');
      expectRejected(loser!, 'CARD_BOUND_TO_ANOTHER_USER');
    } finally {
      h.issuer.reset();
    }
  });

  it('chooses the default card', async () => {
    const listed = await h.list(zhangSan, (list) => list.length === 2);
    const second = listed[1]!;
    expect(
      expectAccepted(
        await h.send(cards.setDefaultCard, { userId: zhangSan, cardId: second.cardId }, `user:${zhangSan}`, { key: zhangSan }),
      ),
    ).toMatchObject({ defaultCardId: second.cardId });
    await h.list(
      zhangSan,
      (list) => list.find((card) => card.isDefault)?.cardId === second.cardId && list.filter((card) => card.isDefault).length === 1,
    );
    expectRejected(
      await h.send(cards.setDefaultCard, { userId: zhangSan, cardId: 'card_nosuchcard' }, `user:${zhangSan}`),
      'CARD_NOT_FOUND',
    );
    expectRejected(
      await h.send(cards.setDefaultCard, { userId: zhangSan, cardId: second.cardId }, `user:${newUserId()}`),
      'NOT_CARD_OWNER',
    );
  });

  it('checks a card with the issuer before use: blocked suspends it and moves the default, active again reinstates it', async () => {
    const listed = await h.list(zhangSan, (list) => list.length === 2);
    const [debit, second] = [listed[0]!, listed[1]!];
    const ok = expectAccepted(
      await h.send(cards.checkCard, { userId: zhangSan, cardId: second.cardId }, 'system:payments', { key: zhangSan }),
    );
    expect(ok).toMatchObject({ status: 'active', cardToken: TEST_CARDS.zhangSanSecond.cardToken, last4: '6781' });
    // By card id alone (payments may only know the card): the owner comes from the read model.
    expectAccepted(await h.send(cards.checkCard, { cardId: debit.cardId }, 'system:payments', { key: debit.cardId }));
    // Only payments checks cards: a user's actor is refused before the handler.
    expectRejected(await h.send(cards.checkCard, { cardId: debit.cardId }, `user:${newUserId()}`), 'FORBIDDEN');

    h.issuer.setCardStatus(TEST_CARDS.zhangSanSecond.cardToken, 'blocked');
    expect(
      expectRejected(await h.send(cards.checkCard, { userId: zhangSan, cardId: second.cardId }, 'system:payments'), 'CARD_BLOCKED').details,
    ).toMatchObject({ suspended: true });
    const suspended = await h.list(zhangSan, (list) => list[1]?.status === 'suspended' && list[0]?.isDefault === true);
    expect(suspended[1]).toMatchObject({ isDefault: false });
    expectRejected(await h.send(cards.setDefaultCard, { userId: zhangSan, cardId: second.cardId }, `user:${zhangSan}`), 'CARD_SUSPENDED');
    await events.waitFor((m) => headerValue(m.message.headers, HEADER.messageType) === cards.EVENT_TYPES.CardSuspended);

    h.issuer.setCardStatus(TEST_CARDS.zhangSanSecond.cardToken, 'active');
    expectAccepted(await h.send(cards.checkCard, { userId: zhangSan, cardId: second.cardId }, 'system:payments'));
    await h.list(zhangSan, (list) => list[1]?.status === 'active');
    expectRejected(await h.send(cards.checkCard, { userId: zhangSan, cardId: 'card_nosuchcard' }, 'system:payments'), 'CARD_NOT_FOUND');
  });

  it('recovers a card whose binding crashed between the reservation and CardBound', async () => {
    const crashed = newUserId();
    const other = newUserId();
    const commandId = randomUUID();
    await plantReservation(TEST_CARDS.liSi.number, crashed, cardIdFor(commandId));
    // While the reservation is young it is a binding in flight.
    expectRejected(await h.bind(other, TEST_CARDS.liSi), 'CARD_BOUND_TO_ANOTHER_USER');
    expect(expectRejected(await h.bind(crashed, TEST_CARDS.liSi), 'CARD_BINDING_IN_PROGRESS').details).toHaveProperty('retryAfterMs');
    // The re-delivered command (same id, same card id) completes the binding.
    expect(expectAccepted(await h.bind(crashed, TEST_CARDS.liSi, { commandId }))).toMatchObject({
      cardId: cardIdFor(commandId),
      isDefault: true,
    });
    expectRejected(await h.bind(other, TEST_CARDS.liSi), 'CARD_BOUND_TO_ANOTHER_USER');

    // A crash nobody retries: once the reservation is older than the TTL, another binding frees it.
    h.issuer.setCardStatus(TEST_CARDS.expired.number, 'active');
    await plantReservation(TEST_CARDS.expired.number, crashed, 'card_abandoned');
    expectRejected(await h.bind(other, TEST_CARDS.expired), 'CARD_BOUND_TO_ANOTHER_USER');
    h.clock.advance(3 * 60_000);
    expectAccepted(await h.bind(other, TEST_CARDS.expired));
    const fp = fingerprint(HASH_PURPOSE.card, TEST_CARDS.expired.number, h.pepperKeyring);
    const history = await h.store.readStream(cardFingerprintStreamId(fp));
    expect(history.map((event) => [event.type, event.data['userId'], event.data['reason']])).toEqual([
      [CARDS_EVENT.CardFingerprintReserved, crashed, undefined],
      [CARDS_EVENT.CardFingerprintReleased, crashed, 'bind_abandoned'],
      [CARDS_EVENT.CardFingerprintReserved, other, undefined],
    ]);
  });
});

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { HEADER, identityContract, paymentsContract, topics, walletContract, type CommandResult } from '@ledger/contracts';
import { producerDefaults } from '@ledger/messaging';
import { senderPlaying, testKafka, uniqueSuffix } from '@ledger/testing';
import { AsyncApiValidator, type MessageCheck, buildAsyncApi } from '@ledger/contracts/asyncapi';
import { TEST_CARDS } from '@ledger/util/testing';
import { GOOD_PAYMENT_PASSWORD, PaymentsHarness, TEST_DEVICE } from './harness/payments-harness';
import { randomPhone } from '@ledger/identity-service/testing';

jest.setTimeout(300_000);

type Accepted = Extract<CommandResult, { status: 'accepted' }>;

interface Recorded {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Every message on a topic prefix, from the beginning: a KafkaJS consumer subscribed with a RegExp
 * (KafkaJS resolves it against the topics that exist when it subscribes, so start it after the flow),
 * read until each partition's high watermark is reached.
 */
async function recordPrefix(prefix: string, timeoutMs = 60_000): Promise<Recorded[]> {
  const kafka = testKafka(`asyncapi-recorder-${uniqueSuffix()}`);
  const admin = kafka.admin();
  await admin.connect();
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const names = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
  const watermarks = new Map<string, bigint>();
  for (const name of names)
    for (const { partition, high } of await admin.fetchTopicOffsets(name)) watermarks.set(`${name}/${partition}`, BigInt(high));
  await admin.disconnect();
  const expected = [...watermarks.values()].reduce((sum, high) => sum + high, 0n);

  const recorded: Recorded[] = [];
  const consumer: Consumer = kafka.consumer({ groupId: `asyncapi-recorder-${uniqueSuffix()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [new RegExp(`^${escaped}`)], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ topic, partition, message }) => void recorded.push({ topic, partition, message }) });
    const deadline = Date.now() + timeoutMs;
    while (BigInt(recorded.length) < expected) {
      if (Date.now() > deadline)
        throw new Error(`recorded ${recorded.length} of ${expected} messages on ${names.length} topics within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await consumer.disconnect();
  }
  return recorded;
}

/**
 * The AsyncAPI document against the real services: a representative flow runs through Kafka
 * (register, bind a card, open the wallet, top up, pay a merchant, a refused payment, a malformed
 * command), then every message on every topic of the run's prefix is checked against the document:
 * key, headers and payload of the message its topic and `message-type` select. Each sender writes
 * to a command topic of its own, so a command is checked against the channel of the sender that
 * really sent it, and one its contract does not list for that sender would be reported.
 */
describe('AsyncAPI contract: every message the services produce matches docs/asyncapi.yaml', () => {
  let h: PaymentsHarness;
  let checks: MessageCheck[];
  let recorded: Recorded[];
  const malformedId = randomUUID();
  /**
   * The malformed command plays an internal system (`senderPlaying`: `internal`), a sender GetBalance
   * lists with this kind of actor, so the only thing wrong with it is its value.
   */
  const malformedActor = 'system:asyncapi-test';
  const malformedTopic = () => `${h.topicPrefix}${topics.commandsFrom(walletContract.CONTEXT, senderPlaying(malformedActor))}`;
  /** The two messages this test produces wrong on purpose: the malformed command and the probe. */
  const deliberatelyWrong = (r: Recorded) =>
    r.topic === probeTopic() || (r.topic === malformedTopic() && r.message.headers?.[HEADER.messageId]?.toString() === malformedId);
  /** A reply topic by its name (`replies.<client>.<instance>`) that no client reads. */
  const probeTopic = () => `${h.topicPrefix}${topics.replies('asyncapi-probe', 'wrong1')}`;

  beforeAll(async () => {
    h = await PaymentsHarness.start('asyncapi', {}, true);

    // Register (code request + registration), payment password, a card, the wallet.
    const phone = randomPhone();
    const userId = await h.identity.register(phone);
    const actor = `user:${userId}`;
    expect(
      await h.identity.send(identityContract.setPaymentPassword, { userId, paymentPassword: h.password(GOOD_PAYMENT_PASSWORD) }, actor, {
        key: userId,
      }),
    ).toMatchObject({ status: 'accepted' });
    const bound = await h.cards!.bind(userId, TEST_CARDS.zhangSanDebit);
    expect(bound).toMatchObject({ status: 'accepted' });
    const cardId = String((bound as Accepted).data?.['cardId']);
    // As the user, through the gateway: OpenWallet lists no other sender or actor (anything else is FORBIDDEN).
    const opened = await h.until(
      () => h.send(walletContract.openWallet, { userId }, userId, actor),
      (result) => result.status === 'accepted',
    );
    const walletId = String((opened as Accepted).data?.['walletId']);

    // Top up from the card, pay a merchant, and a payment refused for insufficient funds.
    const topUpId = randomUUID();
    expect(
      await h.send(paymentsContract.topUpFromCard, { paymentId: topUpId, userId, walletId, cardId, amountMinor: '5000' }, topUpId, actor),
    ).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    const pay = (paymentId: string, amountMinor: string) =>
      h.send(
        paymentsContract.payMerchant,
        {
          paymentId,
          userId,
          walletId,
          merchantId: 'm-canteen',
          channel: 'qr',
          amountMinor,
          description: 'lunch',
          paymentPassword: h.password(),
          deviceId: TEST_DEVICE,
        },
        paymentId,
        actor,
      );
    expect(await pay(randomUUID(), '1250')).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect(await pay(randomUUID(), '9000')).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_FUNDS' });

    // A malformed command (value not JSON) on an internal system's wallet topic: dead-lettered on that
    // topic's dead letters, and its sender is answered INVALID_COMMAND.
    const kafka = testKafka('asyncapi-raw');
    const producer = kafka.producer(producerDefaults);
    await producer.connect();
    await producer.send({
      topic: malformedTopic(),
      messages: [
        {
          key: walletId,
          value: '{"walletId": oops',
          headers: {
            [HEADER.messageId]: malformedId,
            [HEADER.messageType]: walletContract.getBalance.type,
            [HEADER.correlationId]: malformedId,
            [HEADER.causationId]: malformedId,
            [HEADER.actor]: malformedActor,
            [HEADER.occurredAt]: new Date().toISOString(),
            [HEADER.schemaVersion]: '1',
            [HEADER.contentType]: 'application/json',
            [HEADER.replyTo]: h.client.replyTopic,
          },
        },
      ],
    });

    // A deliberately wrong message on a topic of the prefix that no service reads: the check must report it.
    await producer.send({
      topic: probeTopic(),
      messages: [
        { key: null, value: JSON.stringify({ status: 'done', commandId: 42 }), headers: { [HEADER.messageType]: 'CommandResult.v1' } },
      ],
    });
    await producer.disconnect();

    // Wait until the dead letter is there and the relays have published the last events.
    const deadline = Date.now() + 30_000;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      recorded = await recordPrefix(h.topicPrefix);
      const deadLettered = recorded.some((r) => r.topic === topics.deadLetters(malformedTopic()));
      const completed = recorded.some(
        (r) =>
          r.topic === `${h.topicPrefix}payments.events` &&
          r.message.headers?.[HEADER.messageType]?.toString() === paymentsContract.EVENT_TYPES.PaymentFailed,
      );
      if ((deadLettered && completed) || Date.now() > deadline) break;
    }
    const validator = new AsyncApiValidator(buildAsyncApi(), h.topicPrefix);
    checks = recorded.map((r) =>
      validator.check({ topic: r.topic, key: r.message.key, headers: r.message.headers, value: r.message.value }),
    );
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('records messages on every kind of channel: the senders’ commands, results, events and dead letters of all four contexts', () => {
    const channels = new Set(checks.map((check) => check.channel));
    // The sender topics this flow writes to: the test plays the gateway for the user in every context;
    // payments calls identity (the payment password), cards (the card check) and wallet (holds,
    // credits) as itself; the malformed command plays an internal system.
    for (const channel of [
      'identityCommandsFromGateway',
      'identityCommandsFromPayments',
      'cardsCommandsFromGateway',
      'cardsCommandsFromPayments',
      'walletCommandsFromGateway',
      'walletCommandsFromPayments',
      'walletCommandsFromInternal',
      'paymentsCommandsFromGateway',
    ])
      expect(channels).toContain(channel);
    for (const context of ['identity', 'cards', 'wallet', 'payments']) expect(channels).toContain(`${context}Events`);
    expect(channels).toContain('commandResults');
    expect(channels).toContain('walletCommandsFromInternalDeadLetters');
    const messages = new Set(checks.map((check) => check.message));
    for (const type of [
      identityContract.registerUser.type,
      'cards.BindCard.v1',
      walletContract.openWallet.type,
      paymentsContract.topUpFromCard.type,
      paymentsContract.payMerchant.type,
      identityContract.EVENT_TYPES.UserRegistered,
      'cards.CardBound.v1',
      walletContract.EVENT_TYPES.WalletOpened,
      walletContract.EVENT_TYPES.WalletCredited,
      walletContract.EVENT_TYPES.HoldCaptured,
      paymentsContract.EVENT_TYPES.PaymentCompleted,
      paymentsContract.EVENT_TYPES.PaymentFailed,
      'CommandResult',
      'DeadLetter',
    ])
      expect(messages).toContain(type);
    // Enough traffic to mean something (the payments relay publishes a payment's start and outcome only).
    expect(recorded.length).toBeGreaterThan(40);
    // The malformed command was answered INVALID_COMMAND on the reply topic named in it.
    const answers = recorded
      .filter((r) => r.topic === h.client.replyTopic)
      .map((r) => JSON.parse(r.message.value!.toString('utf8')) as CommandResult);
    expect(answers).toContainEqual(expect.objectContaining({ status: 'rejected', commandId: malformedId, code: 'INVALID_COMMAND' }));
  });

  it('every message the services produced validates against the document (key, headers, payload)', () => {
    const violations = checks
      .map((check, index) => ({ check, index }))
      .filter(({ index }) => !deliberatelyWrong(recorded[index]!))
      .flatMap(({ check, index }) => check.violations.map((violation) => `#${index} ${check.topic}: ${violation}`));
    expect(violations).toEqual([]);
  });

  it('reports the deliberately wrong messages precisely (the check can fail)', () => {
    // The malformed command this test sent (its dead-letter copy is a valid dead letter: any value goes).
    const malformed = checks.filter((check, index) => check.topic === malformedTopic() && deliberatelyWrong(recorded[index]!));
    expect(malformed.map((check) => check.channel)).toEqual(['walletCommandsFromInternal']);
    expect(malformed.map((check) => check.violations)).toEqual([[expect.stringMatching(/^wallet\.GetBalance\.v1: payload: not JSON/)]]);
    const probe = checks.filter((check) => check.topic === probeTopic());
    expect(probe).toHaveLength(1);
    expect(probe[0]!.message).toBe('CommandResult');
    expect(probe[0]!.violations).toEqual(
      expect.arrayContaining([
        'CommandResult: key: must be string (key null)',
        "CommandResult: headers: must have required property 'message-id'",
        "CommandResult: headers: must have required property 'correlation-id'",
        'CommandResult: payload: must match exactly one schema in oneOf',
      ]),
    );
  });

  it('reports a real message once it is tampered with', () => {
    const validator = new AsyncApiValidator(buildAsyncApi(), h.topicPrefix);
    const command = recorded.find((r) => r.message.headers?.[HEADER.messageType]?.toString() === paymentsContract.payMerchant.type)!;
    const { [HEADER.actor]: _actor, ...headers } = command.message.headers!;
    const payload = { ...(JSON.parse(command.message.value!.toString('utf8')) as Record<string, unknown>), amountMinor: 1250 };
    expect(validator.check({ topic: command.topic, key: command.message.key, headers, value: JSON.stringify(payload) }).violations).toEqual(
      [
        "payments.PayMerchant.v1: headers: must have required property 'actor'",
        'payments.PayMerchant.v1: payload/amountMinor: must be string',
      ],
    );
  });
});

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ALL_COMMANDS } from '../catalogue';
import { SENDERS, type Sender } from '../command';
import { COMMAND_RESULT_TYPE, TRANSPORT_ERROR } from '../command-result';
import { HEADER } from '../headers';
import * as payments from '../payments';
import { topics } from '../topics';
import * as wallet from '../wallet';
import { AsyncApiValidator, resolveLocalRefs } from './asyncapi-validator';
import { CONTEXTS, buildAsyncApi, commandsChannelId, deadLettersChannelId, renderAsyncApiYaml, type JsonSchema } from './build-asyncapi';
import { ASYNCAPI_FILE } from './write-asyncapi';

type Doc = {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: Array<{ $ref: string }> }>;
  components: { messages: Record<string, JsonSchema & { examples?: Array<{ headers: Record<string, string>; payload: unknown }> }> };
};

const document = buildAsyncApi();
const doc = document as unknown as Doc;

const commandHeaders = (type: string, actor = 'user:u-1'): Record<string, string> => ({
  [HEADER.messageId]: 'm-1',
  [HEADER.messageType]: type,
  [HEADER.correlationId]: 'c-1',
  [HEADER.causationId]: 'm-1',
  [HEADER.actor]: actor,
  [HEADER.occurredAt]: '2026-11-22T10:00:00.000Z',
  [HEADER.schemaVersion]: '1',
  [HEADER.contentType]: 'application/json',
  [HEADER.replyTo]: 'replies.gateway.abc',
});

/** The channels of the senders' command topics (not their dead letters), by id. */
const commandChannels = () => Object.entries(doc.channels).filter(([, channel]) => /\.commands\.from\.[a-z]+$/.test(channel.address));
const listedSenders = (contract: { senders: Partial<Record<Sender, unknown>> }) =>
  SENDERS.filter((sender) => contract.senders[sender] !== undefined);

describe('the AsyncAPI document', () => {
  it('is committed in docs/asyncapi.yaml exactly as the contracts generate it (run `npm run asyncapi` after changing a contract)', () => {
    expect(readFileSync(ASYNCAPI_FILE, 'utf8')).toBe(renderAsyncApiYaml(document));
  });

  it('reads back from YAML as the same document, with no anchors or aliases', () => {
    const yaml = renderAsyncApiYaml(document);
    expect(parse(yaml)).toEqual(document);
    expect(yaml).not.toMatch(/^\s*[^#\n]*[&*][a-z]+\d+\s*$/m);
  });

  it('has, for every context, one commands channel per sender its commands list, with exactly the commands that list that sender', () => {
    expect(document['asyncapi']).toBe('3.0.0');
    // The naming, spelled out once: the channel id and the topic of one sender in one context.
    expect(doc.channels['walletCommandsFromPayments']!.address).toBe('wallet.commands.from.payments');
    expect(doc.channels['walletCommandsFromPaymentsDeadLetters']!.address).toBe('wallet.commands.from.payments.dead-letters');
    for (const ctx of CONTEXTS) {
      const senders = SENDERS.filter((sender) => ctx.commands.some((contract) => contract.senders[sender] !== undefined));
      expect([ctx.context, senders.length > 0]).toEqual([ctx.context, true]);
      // No channel for a sender that sends the context nothing: no service reads such a topic.
      const ofContext = commandChannels().filter(([, channel]) => channel.address.startsWith(`${ctx.context}.commands.from.`));
      expect(ofContext.map(([id]) => id).sort()).toEqual(senders.map((sender) => commandsChannelId(ctx.context, sender)).sort());
      for (const sender of senders) {
        const channel = doc.channels[commandsChannelId(ctx.context, sender)]!;
        expect(channel.address).toBe(topics.commandsFrom(ctx.context, sender));
        const sent = ctx.commands.filter((contract) => contract.senders[sender] !== undefined).map((contract) => contract.type);
        expect([ctx.context, sender, Object.keys(channel.messages).sort()]).toEqual([ctx.context, sender, sent.sort()]);
        for (const [type, ref] of Object.entries(channel.messages)) expect(ref.$ref).toBe(`#/components/messages/${type}`);
      }
      for (const contract of ctx.commands) {
        const message = doc.components.messages[contract.type]!;
        expect(message['payload']).toEqual(JSON.parse(JSON.stringify(contract.payload)));
        const allowed = listedSenders(contract).map((sender) => `${sender} (${contract.senders[sender]!.join(', ')})`);
        expect(message['description']).toBe(`${contract.description} Senders: ${allowed.join(', ')}.`);
        expect(message['x-rejects']).toEqual(contract.rejects);
      }
    }
    expect(doc.components.messages[wallet.captureHold.type]!['description']).toMatch(/ Senders: payments \(system\)\.$/);
    expect(doc.components.messages[wallet.getWalletByUser.type]!['description']).toMatch(
      / Senders: gateway \(user, support, teller\), payments \(system\), internal \(system\)\.$/,
    );
  });

  it('puts every command of the catalogue in the channel of each sender it lists and in no other channel, and nothing else in those channels', () => {
    for (const contract of ALL_COMMANDS) {
      const carrying = commandChannels()
        .filter(([, channel]) => contract.type in channel.messages)
        .map(([, channel]) => channel.address)
        .sort();
      const expected = listedSenders(contract)
        .map((sender) => topics.commandsFrom(contract.context, sender))
        .sort();
      expect([contract.type, carrying]).toEqual([contract.type, expected]);
    }
    const documented = new Set(commandChannels().flatMap(([, channel]) => Object.keys(channel.messages)));
    expect([...documented].sort()).toEqual(ALL_COMMANDS.map((contract) => contract.type).sort());
  });

  it('has one receive operation per sender channel and, for each sender topic, a dead-letter channel with its send operation', () => {
    const channelOf = (operation: { channel: { $ref: string } }) => operation.channel.$ref.replace('#/channels/', '');
    const operations = Object.values(doc.operations);
    for (const [id, channel] of commandChannels()) {
      const receiving = operations.filter((operation) => channelOf(operation) === id);
      expect([id, receiving.map((operation) => operation.action)]).toEqual([id, ['receive']]);
      expect(receiving[0]!.messages.map((message) => message.$ref).sort()).toEqual(
        Object.keys(channel.messages)
          .map((type) => `#/channels/${id}/messages/${type}`)
          .sort(),
      );

      const [context, sender] = channel.address.split('.commands.from.') as [string, Sender];
      const deadId = deadLettersChannelId(context, sender);
      const dead = doc.channels[deadId]!;
      expect([deadId, dead.address]).toEqual([deadId, topics.deadLetters(channel.address)]);
      expect(dead.messages).toEqual({ DeadLetter: { $ref: '#/components/messages/DeadLetter' } });
      const sending = operations.filter((operation) => channelOf(operation) === deadId);
      expect([deadId, sending.map((operation) => operation.action)]).toEqual([deadId, ['send']]);
    }
    // No dead-letter channel without the sender topic it belongs to.
    const deadLetterChannels = Object.values(doc.channels).filter((channel) => channel.address.endsWith('.dead-letters'));
    expect(deadLetterChannels.map((channel) => channel.address).sort()).toEqual(
      commandChannels()
        .map(([, channel]) => topics.deadLetters(channel.address))
        .sort(),
    );
  });

  it('tells readers that the topic proves the sender and that an unlisted sender or actor gets FORBIDDEN', () => {
    const info = (document['info'] as { description: string }).description;
    expect(info).toContain('<context>.commands.from.<sender>');
    expect(info).toContain('proves');
    expect(info).toContain('`FORBIDDEN`');
    expect(info).toContain('replies.<client>.<instance>');
    expect(info).not.toMatch(/<context>\.commands`|<client>\.replies/);
    expect(Object.values(TRANSPORT_ERROR)).toContain('FORBIDDEN');
  });

  it('lists every published event with its data schema, and the payments events the relay publishes (not the process steps)', () => {
    for (const ctx of CONTEXTS.filter((candidate) => candidate.events)) {
      const events = doc.channels[`${ctx.context}Events`]!;
      expect(events.address).toBe(`${ctx.context}.events`);
      for (const type of Object.keys(ctx.events!)) expect(Object.keys(events.messages)).toContain(type);
    }
    const paymentEvents = Object.keys(doc.channels['paymentsEvents']!.messages);
    expect(paymentEvents.sort()).toEqual([...payments.PUBLISHED_EVENTS, 'payments.OtherEvent'].sort());
    expect(paymentEvents).not.toContain(payments.EVENT_TYPES.PaymentFundsReserved);
    expect(Object.keys(doc.channels['walletEvents']!.messages)).toEqual(expect.arrayContaining(Object.values(wallet.EVENT_TYPES)));
  });

  it('has the reply channel with the CommandResult message and operations that point at existing channels and messages', () => {
    expect(doc.channels['commandResults']!.address).toBe('replies.{client}.{instance}');
    expect(doc.channels['commandResults']!.address).toBe(topics.replies('{client}', '{instance}'));
    const resolve = (ref: string) =>
      ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
    for (const [id, operation] of Object.entries(doc.operations)) {
      expect([id, ['send', 'receive'].includes(operation.action)]).toEqual([id, true]);
      expect([id, resolve(operation.channel.$ref)]).toEqual([id, expect.objectContaining({ address: expect.any(String) })]);
      for (const message of operation.messages)
        expect([id, message.$ref, resolve(message.$ref)]).toEqual([
          id,
          message.$ref,
          { $ref: expect.stringMatching(/^#\/components\/messages\//) },
        ]);
    }
    expect(() => resolveLocalRefs(document)).not.toThrow();
  });

  it('has examples, each valid against its own message', () => {
    const validator = new AsyncApiValidator(document);
    const addressOf = new Map<string, string>();
    for (const channel of Object.values(doc.channels))
      for (const ref of Object.values(channel.messages)) addressOf.set(ref.$ref.split('/').pop()!, channel.address);
    let examples = 0;
    for (const [id, message] of Object.entries(doc.components.messages)) {
      for (const example of message.examples ?? []) {
        examples += 1;
        const topic = addressOf.get(id)!.replace('{client}', 'gateway').replace('{instance}', 'abc');
        const value = typeof example.payload === 'string' ? example.payload : JSON.stringify(example.payload);
        const check = validator.check({ topic, key: 'k-1', headers: example.headers, value });
        expect([id, check.message, check.violations]).toEqual([id, id, []]);
      }
    }
    expect(examples).toBeGreaterThanOrEqual(8);
  });
});

describe('the AsyncAPI validator', () => {
  const validator = new AsyncApiValidator(document, 't-x.');
  const pay = {
    paymentId: 'p-1',
    userId: 'u-1',
    walletId: 'w-1',
    merchantId: 'm-1',
    channel: 'qr',
    amountMinor: '1250',
    paymentPassword: 'enc:v1:k',
    deviceId: 'd-1',
  };

  it('accepts a well-formed command, result, event and dead letter on prefixed topics, each on its own channel', () => {
    expect(
      validator.check({
        topic: 't-x.payments.commands.from.gateway',
        key: 'p-1',
        headers: commandHeaders(payments.payMerchant.type),
        value: JSON.stringify(pay),
      }),
    ).toMatchObject({
      channel: 'paymentsCommandsFromGateway',
      message: payments.payMerchant.type,
      violations: [],
    });
    const capture = { walletId: 'w-1', holdId: 'h-1', amountMinor: '1250' };
    expect(
      validator.check({
        topic: 't-x.wallet.commands.from.payments',
        key: 'w-1',
        headers: commandHeaders(wallet.captureHold.type, 'system:payments'),
        value: JSON.stringify(capture),
      }),
    ).toMatchObject({
      channel: 'walletCommandsFromPayments',
      message: wallet.captureHold.type,
      violations: [],
    });
    const resultHeaders = {
      [HEADER.messageId]: 'r-1',
      [HEADER.messageType]: COMMAND_RESULT_TYPE,
      [HEADER.correlationId]: 'c-1',
      [HEADER.causationId]: 'm-1',
      [HEADER.contentType]: 'application/json',
    };
    const result = JSON.stringify({ status: 'rejected', commandId: 'm-1', code: 'FORBIDDEN', message: 'no' });
    expect(validator.check({ topic: 't-x.replies.payments-client.ab12', key: 'c-1', headers: resultHeaders, value: result })).toMatchObject(
      { channel: 'commandResults', message: 'CommandResult', violations: [] },
    );
    // The reply topics' old naming is no channel any more.
    expect(
      validator.check({ topic: 't-x.payments-client.replies.ab12', key: 'c-1', headers: resultHeaders, value: result }).channel,
    ).toBeUndefined();
    const deadHeaders = {
      [HEADER.deadLetterReason]: 'value is not JSON',
      [HEADER.deadLetterSourceTopic]: 't-x.wallet.commands.from.payments',
      [HEADER.deadLetterSourcePartition]: '0',
      [HEADER.deadLetterSourceOffset]: '3',
    };
    expect(
      validator.check({
        topic: 't-x.wallet.commands.from.payments.dead-letters',
        key: null,
        headers: deadHeaders,
        value: Buffer.from('{oops'),
      }),
    ).toMatchObject({
      channel: 'walletCommandsFromPaymentsDeadLetters',
      message: 'DeadLetter',
      violations: [],
    });
    expect(
      validator.check({
        topic: 't-x.wallet.commands.from.internal.dead-letters',
        key: null,
        headers: deadHeaders,
        value: Buffer.from('{oops'),
      }),
    ).toMatchObject({
      channel: 'walletCommandsFromInternalDeadLetters',
      message: 'DeadLetter',
      violations: [],
    });
  });

  it('reports a command on the topic of a sender its contract does not list: it is not a message of that sender’s channel', () => {
    expect(wallet.captureHold.senders.gateway).toBeUndefined();
    const capture = { walletId: 'w-1', holdId: 'h-1', amountMinor: '1250' };
    expect(
      validator.check({
        topic: 't-x.wallet.commands.from.gateway',
        key: 'w-1',
        headers: commandHeaders(wallet.captureHold.type, 'system:payments'),
        value: JSON.stringify(capture),
      }),
    ).toEqual({
      topic: 't-x.wallet.commands.from.gateway',
      channel: 'walletCommandsFromGateway',
      violations: [
        't-x.wallet.commands.from.gateway: message-type "wallet.CaptureHold.v1" is not a message of channel walletCommandsFromGateway (it is a message of walletCommandsFromPayments)',
      ],
    });
    // A sender that no command of the context lists has no topic there at all.
    expect(wallet.COMMANDS.some((contract) => contract.senders.cards !== undefined)).toBe(false);
    expect(
      validator.check({
        topic: 't-x.wallet.commands.from.cards',
        key: 'w-1',
        headers: commandHeaders(wallet.captureHold.type, 'system:cards'),
        value: JSON.stringify(capture),
      }).violations,
    ).toEqual(['topic t-x.wallet.commands.from.cards: no channel of the AsyncAPI document has this address']);
  });

  it('reports every violation precisely: payload, headers, key, unknown type, unknown topic, not JSON', () => {
    const wrong = validator.check({
      topic: 't-x.payments.commands.from.gateway',
      key: '',
      headers: {
        ...commandHeaders(payments.payMerchant.type),
        [HEADER.actor]: undefined as unknown as string,
        [HEADER.occurredAt]: 'yesterday',
      },
      value: JSON.stringify({ ...pay, amountMinor: 12.5, extra: true }),
    });
    expect(wrong.violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^payments\.PayMerchant\.v1: key: must NOT have fewer than 1 characters/),
        expect.stringMatching(/headers: must have required property 'actor'/),
        expect.stringMatching(/headers\/occurred-at: must match pattern/),
        expect.stringMatching(/payload\/amountMinor: must be string/),
        expect.stringMatching(/payload: must NOT have additional properties \(extra\)/),
      ]),
    );
    expect(
      validator.check({ topic: 't-x.payments.commands.from.gateway', key: 'p', headers: commandHeaders('payments.Nope.v1'), value: '{}' })
        .violations,
    ).toEqual([
      't-x.payments.commands.from.gateway: message-type "payments.Nope.v1" is not a message of channel paymentsCommandsFromGateway',
    ]);
    expect(validator.check({ topic: 't-x.nobody.listens', key: 'p', headers: {}, value: '{}' }).violations).toEqual([
      'topic t-x.nobody.listens: no channel of the AsyncAPI document has this address',
    ]);
    // Without the run's prefix a topic is no channel's; the retired one-topic-per-context name neither.
    expect(validator.check({ topic: 'payments.commands.from.gateway', key: 'p', headers: {}, value: '{}' }).violations).toEqual([
      'topic payments.commands.from.gateway: no channel of the AsyncAPI document has this address',
    ]);
    expect(
      validator.check({
        topic: 't-x.payments.commands',
        key: 'p',
        headers: commandHeaders(payments.payMerchant.type),
        value: JSON.stringify(pay),
      }).violations,
    ).toEqual(['topic t-x.payments.commands: no channel of the AsyncAPI document has this address']);
    expect(
      validator.check({
        topic: 't-x.payments.commands.from.gateway',
        key: 'p',
        headers: commandHeaders(payments.payMerchant.type),
        value: '{x',
      }).violations,
    ).toEqual([expect.stringMatching(/payload: not JSON/)]);
  });

  it('checks an event against its published data schema, and an unlisted internal event only for its headers', () => {
    const eventHeaders = (type: string) => ({
      ...commandHeaders(type),
      [HEADER.replyTo]: undefined as unknown as string,
      [HEADER.stream]: 'wallet-w-1',
      [HEADER.streamRevision]: '0',
      [HEADER.position]: '12',
      [HEADER.recordedAt]: '2026-11-22T10:00:00.123Z',
    });
    const opened = { walletId: 'w-1', userId: 'u-1', tier: 'basic', openedAt: '2026-11-22T10:00:00Z' };
    expect(
      validator.check({
        topic: 't-x.wallet.events',
        key: 'wallet-w-1',
        headers: eventHeaders(wallet.EVENT_TYPES.WalletOpened),
        value: JSON.stringify(opened),
      }).violations,
    ).toEqual([]);
    expect(
      validator.check({
        topic: 't-x.wallet.events',
        key: 'wallet-w-1',
        headers: eventHeaders(wallet.EVENT_TYPES.WalletOpened),
        value: JSON.stringify({ ...opened, tier: 'gold' }),
      }).violations,
    ).toEqual(expect.arrayContaining([expect.stringMatching(/^wallet\.WalletOpened\.v1: payload\/tier: must match a schema in anyOf/)]));
    expect(
      validator.check({
        topic: 't-x.wallet.events',
        key: 'wallet-w-1',
        headers: eventHeaders('wallet.SomethingInternal.v1'),
        value: '{"a":1}',
      }),
    ).toMatchObject({ message: 'wallet.OtherEvent', violations: [] });
    const { [HEADER.position]: _position, ...withoutPosition } = eventHeaders(wallet.EVENT_TYPES.WalletOpened);
    expect(
      validator.check({ topic: 't-x.wallet.events', key: 'wallet-w-1', headers: withoutPosition, value: JSON.stringify(opened) })
        .violations,
    ).toEqual([expect.stringMatching(/headers: must have required property 'position'/)]);
  });
});

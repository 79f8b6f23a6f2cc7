import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { COMMAND_RESULT_TYPE } from '../command-result';
import { HEADER } from '../headers';
import * as payments from '../payments';
import * as wallet from '../wallet';
import { AsyncApiValidator, resolveLocalRefs } from './asyncapi-validator';
import { CONTEXTS, buildAsyncApi, renderAsyncApiYaml, type JsonSchema } from './build-asyncapi';
import { ASYNCAPI_FILE } from './write-asyncapi';

type Doc = {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: Array<{ $ref: string }> }>;
  components: { messages: Record<string, JsonSchema & { examples?: Array<{ headers: Record<string, string>; payload: unknown }> }> };
};

const document = buildAsyncApi();
const doc = document as unknown as Doc;

const commandHeaders = (type: string): Record<string, string> => ({
  [HEADER.messageId]: 'm-1',
  [HEADER.messageType]: type,
  [HEADER.correlationId]: 'c-1',
  [HEADER.causationId]: 'm-1',
  [HEADER.actor]: 'user:u-1',
  [HEADER.occurredAt]: '2026-11-22T10:00:00.000Z',
  [HEADER.schemaVersion]: '1',
  [HEADER.contentType]: 'application/json',
  [HEADER.replyTo]: 'gateway.replies.abc',
});

describe('the AsyncAPI document', () => {
  it('is committed in docs/asyncapi.yaml exactly as the contracts generate it (run `npm run asyncapi` after changing a contract)', () => {
    expect(readFileSync(ASYNCAPI_FILE, 'utf8')).toBe(renderAsyncApiYaml(document));
  });

  it('reads back from YAML as the same document, with no anchors or aliases', () => {
    const yaml = renderAsyncApiYaml(document);
    expect(parse(yaml)).toEqual(document);
    expect(yaml).not.toMatch(/^\s*[^#\n]*[&*][a-z]+\d+\s*$/m);
  });

  it('has, for every context, a commands channel with one message per command contract and a dead-letter channel', () => {
    expect(document['asyncapi']).toBe('3.0.0');
    for (const ctx of CONTEXTS) {
      const commands = doc.channels[`${ctx.context}Commands`]!;
      expect(commands.address).toBe(`${ctx.context}.commands`);
      expect(Object.keys(commands.messages).sort()).toEqual(ctx.commands.map((contract) => contract.type).sort());
      for (const contract of ctx.commands) {
        const message = doc.components.messages[contract.type]!;
        expect(message['payload']).toEqual(JSON.parse(JSON.stringify(contract.payload)));
        expect(message['description']).toBe(contract.description);
      }
      expect(doc.channels[`${ctx.context}CommandDeadLetters`]!.address).toBe(`${ctx.context}.commands.dead-letters`);
    }
  });

  it('lists every published event with its data schema, and the payments events the relay publishes (not the process steps)', () => {
    for (const ctx of CONTEXTS.filter((candidate) => candidate.events)) {
      const events = doc.channels[`${ctx.context}Events`]!;
      expect(events.address).toBe(`${ctx.context}.events`);
      for (const type of Object.keys(ctx.events!)) expect(Object.keys(events.messages)).toContain(type);
    }
    const paymentEvents = Object.keys(doc.channels['paymentsEvents']!.messages);
    expect(paymentEvents.sort()).toEqual([...payments.PUBLISHED_EVENTS, 'payments.OtherEvent'].sort());
    expect(paymentEvents).not.toContain(payments.EVENT.PaymentFundsReserved);
    expect(Object.keys(doc.channels['walletEvents']!.messages)).toEqual(expect.arrayContaining(Object.values(wallet.EVENT)));
  });

  it('has the reply channel with the CommandResult message and operations that point at existing channels and messages', () => {
    expect(doc.channels['commandResults']!.address).toBe('{client}.replies.{instance}');
    const resolve = (ref: string) => ref.replace(/^#\//, '').split('/').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
    for (const [id, operation] of Object.entries(doc.operations)) {
      expect([id, ['send', 'receive'].includes(operation.action)]).toEqual([id, true]);
      expect([id, resolve(operation.channel.$ref)]).toEqual([id, expect.objectContaining({ address: expect.any(String) })]);
      for (const message of operation.messages) expect([id, message.$ref, resolve(message.$ref)]).toEqual([id, message.$ref, { $ref: expect.stringMatching(/^#\/components\/messages\//) }]);
    }
    expect(() => resolveLocalRefs(document)).not.toThrow();
  });

  it('has examples, each valid against its own message', () => {
    const validator = new AsyncApiValidator(document);
    const addressOf = new Map<string, string>();
    for (const channel of Object.values(doc.channels)) for (const ref of Object.values(channel.messages)) addressOf.set(ref.$ref.split('/').pop()!, channel.address);
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
  const pay = { paymentId: 'p-1', userId: 'u-1', walletId: 'w-1', merchantId: 'm-1', channel: 'qr', amountMinor: '1250', paymentPassword: 'enc:v1:k', deviceId: 'd-1' };

  it('accepts a well-formed command, result, event and dead letter on prefixed topics', () => {
    expect(validator.check({ topic: 't-x.payments.commands', key: 'p-1', headers: commandHeaders(payments.payMerchant.type), value: JSON.stringify(pay) }).violations).toEqual([]);
    const resultHeaders = { [HEADER.messageId]: 'r-1', [HEADER.messageType]: COMMAND_RESULT_TYPE, [HEADER.correlationId]: 'c-1', [HEADER.causationId]: 'm-1', [HEADER.contentType]: 'application/json' };
    expect(validator.check({ topic: 't-x.payments-client.replies.ab12', key: 'c-1', headers: resultHeaders, value: JSON.stringify({ status: 'rejected', commandId: 'm-1', code: 'X', message: 'no' }) })).toMatchObject({ message: 'CommandResult', violations: [] });
    const deadHeaders = { [HEADER.deadLetterReason]: 'value is not JSON', [HEADER.deadLetterSourceTopic]: 't-x.wallet.commands', [HEADER.deadLetterSourcePartition]: '0', [HEADER.deadLetterSourceOffset]: '3' };
    expect(validator.check({ topic: 't-x.wallet.commands.dead-letters', key: null, headers: deadHeaders, value: Buffer.from('{oops') })).toMatchObject({ message: 'DeadLetter', violations: [] });
  });

  it('reports every violation precisely: payload, headers, key, unknown type, unknown topic, not JSON', () => {
    const wrong = validator.check({
      topic: 't-x.payments.commands',
      key: '',
      headers: { ...commandHeaders(payments.payMerchant.type), [HEADER.actor]: undefined as unknown as string, [HEADER.occurredAt]: 'yesterday' },
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
    expect(validator.check({ topic: 't-x.payments.commands', key: 'p', headers: commandHeaders('payments.Nope.v1'), value: '{}' }).violations).toEqual([
      't-x.payments.commands: message-type "payments.Nope.v1" is not a message of channel paymentsCommands',
    ]);
    expect(validator.check({ topic: 't-x.nobody.listens', key: 'p', headers: {}, value: '{}' }).violations).toEqual(['topic t-x.nobody.listens: no channel of the AsyncAPI document has this address']);
    expect(validator.check({ topic: 'payments.commands', key: 'p', headers: {}, value: '{}' }).violations).toHaveLength(1);
    expect(validator.check({ topic: 't-x.payments.commands', key: 'p', headers: commandHeaders(payments.payMerchant.type), value: '{x' }).violations).toEqual([expect.stringMatching(/payload: not JSON/)]);
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
    expect(validator.check({ topic: 't-x.wallet.events', key: 'wallet-w-1', headers: eventHeaders(wallet.EVENT.WalletOpened), value: JSON.stringify(opened) }).violations).toEqual([]);
    expect(validator.check({ topic: 't-x.wallet.events', key: 'wallet-w-1', headers: eventHeaders(wallet.EVENT.WalletOpened), value: JSON.stringify({ ...opened, tier: 'gold' }) }).violations).toEqual(
      expect.arrayContaining([expect.stringMatching(/^wallet\.WalletOpened\.v1: payload\/tier: must match a schema in anyOf/)]),
    );
    expect(validator.check({ topic: 't-x.wallet.events', key: 'wallet-w-1', headers: eventHeaders('wallet.SomethingInternal.v1'), value: '{"a":1}' })).toMatchObject({ message: 'wallet.OtherEvent', violations: [] });
    const { [HEADER.position]: _position, ...withoutPosition } = eventHeaders(wallet.EVENT.WalletOpened);
    expect(validator.check({ topic: 't-x.wallet.events', key: 'wallet-w-1', headers: withoutPosition, value: JSON.stringify(opened) }).violations).toEqual([expect.stringMatching(/headers: must have required property 'position'/)]);
  });
});

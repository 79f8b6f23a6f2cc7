import 'reflect-metadata';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HEADER, defineCommand, topics, type CommandResult } from '@ledger/contracts';
import { TopicRecorder, testKafka, uniqueSuffix } from '@ledger/testing';
import { Type } from '@sinclair/typebox';
import type { Producer } from 'kafkajs';
import { CommandHandler } from './command-handler.decorator';
import type { CommandEnvelope } from './envelope';
import { headerValue } from './envelope';
import { KafkaCommandClient } from './kafka-command-client';
import { KafkaCommandServer } from './kafka-command-server';
import { producerDefaults } from './kafka';
import { accepted, rejected } from './results';

const prefix = `t-${uniqueSuffix()}.`;
const context = 'roundtrip';
const commandTopic = `${prefix}${topics.commandsFrom(context, 'gateway')}`;
const deadLetterTopic = topics.deadLetters(commandTopic);

const Greet = defineCommand({
  type: `${context}.Greet.v1`,
  context,
  description: 'test command',
  senders: { gateway: ['user'], internal: ['system'], payments: ['system'] },
  rejects: [],
  payload: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
});
const Explode = defineCommand({
  type: `${context}.Explode.v1`,
  context,
  description: 'always throws',
  senders: { gateway: ['user'] },
  rejects: [],
  payload: Type.Object({}),
});
const Wait = defineCommand({
  type: `${context}.Wait.v1`,
  context,
  description: 'answers once released',
  senders: { internal: ['system'] },
  rejects: [],
  payload: Type.Object({ label: Type.String() }),
});

/** Commands of the Wait type finish only when the test releases them; `order` records when each ran. */
const waiting = new Map<string, () => void>();
const order: string[] = [];

let explodeCalls = 0;
let greetCalls = 0;

@Controller()
class GreetController {
  @CommandHandler(Greet)
  greet(command: CommandEnvelope<{ name: string }>): CommandResult {
    greetCalls++;
    if (command.payload.name === 'nobody') return rejected(command, 'NOBODY_TO_GREET', 'there is nobody to greet');
    return accepted(command, { greeting: `hello ${command.payload.name}`, actor: command.actor, key: command.key });
  }

  @CommandHandler(Wait)
  async wait(command: CommandEnvelope<{ label: string }>): Promise<CommandResult> {
    order.push(`start ${command.payload.label}`);
    await new Promise<void>((resolve) => waiting.set(command.payload.label, resolve));
    order.push(`end ${command.payload.label}`);
    return accepted(command, { label: command.payload.label });
  }

  @CommandHandler(Explode)
  explode(): never {
    explodeCalls++;
    throw new Error('boom');
  }
}

@Module({ controllers: [GreetController] })
class GreetModule {}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Kafka command round trip through the real broker', () => {
  const kafka = testKafka('roundtrip-test');
  let app: INestMicroservice;
  let client: KafkaCommandClient;
  let producer: Producer;
  let deadLetters: TopicRecorder;

  beforeAll(async () => {
    const strategy = new KafkaCommandServer({
      kafka,
      groupId: `${prefix}roundtrip-service`,
      context,
      topicPrefix: prefix,
      maxAttempts: 2,
      numPartitions: 2,
    });
    app = await NestFactory.createMicroservice(GreetModule, { strategy, logger: false });
    await app.listen();
    client = new KafkaCommandClient({
      kafka,
      clientName: 'roundtrip-test',
      sender: 'gateway',
      topicPrefix: prefix,
      defaultTimeoutMs: 20_000,
    });
    await client.start();
    producer = kafka.producer(producerDefaults);
    await producer.connect();
    deadLetters = await new TopicRecorder(kafka, [deadLetterTopic]).start();
  });

  afterAll(async () => {
    await deadLetters.stop();
    await producer.disconnect();
    await client.stop();
    await app.close();
  });

  it('answers a command on its reply-to topic, correlated by id', async () => {
    const result = await client.send(Greet, { name: 'Li Lei' }, { key: 'user-1', actor: 'user:1', correlationId: 'corr-1' });
    expect(result).toEqual({
      status: 'accepted',
      commandId: expect.any(String),
      data: { greeting: 'hello Li Lei', actor: 'user:1', key: 'user-1' },
    });
  });

  it('carries a domain rejection with its stable code', async () => {
    const result = await client.send(Greet, { name: 'nobody' }, { key: 'user-2', actor: 'user:2' });
    expect(result).toMatchObject({ status: 'rejected', code: 'NOBODY_TO_GREET' });
  });

  it('answers many concurrent commands, each with its own result', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `user ${i}`);
    const results = await Promise.all(
      names.map((name, i) => client.send(Greet, { name }, { key: `k-${i}`, actor: 'system:test', sender: 'internal' })),
    );
    expect(results.map((r) => (r.status === 'accepted' ? r.data?.greeting : r.code))).toEqual(names.map((n) => `hello ${n}`));
  });

  it('a slow command holds up only the commands of its own key, which keep their order', async () => {
    // numPartitions is 2: with three keys, at least two share a partition, and still overlap.
    const slow = client.send(Wait, { label: 'slow' }, { key: 'aggregate-a', actor: 'system:test', sender: 'internal' });
    await until(() => waiting.has('slow'));
    const sameKey = client.send(Wait, { label: 'after-slow' }, { key: 'aggregate-a', actor: 'system:test', sender: 'internal' });
    const others = ['b', 'c', 'd'].map((key) =>
      client.send(Greet, { name: key }, { key: `aggregate-${key}`, actor: 'system:test', sender: 'internal' }),
    );
    expect((await Promise.all(others)).map((result) => result.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(order).toEqual(['start slow']);
    waiting.get('slow')!();
    await until(() => waiting.has('after-slow'));
    waiting.get('after-slow')!();
    expect(await slow).toMatchObject({ status: 'accepted', data: { label: 'slow' } });
    expect(await sameKey).toMatchObject({ status: 'accepted', data: { label: 'after-slow' } });
    expect(order).toEqual(['start slow', 'end slow', 'start after-slow', 'end after-slow']);
  });

  it('dead-letters a message that is not JSON, and keeps consuming', async () => {
    await producer.send({
      topic: commandTopic,
      messages: [
        {
          key: 'user-3',
          value: '{not json',
          headers: { [HEADER.messageId]: 'bad-1', [HEADER.messageType]: Greet.type, [HEADER.correlationId]: 'c', [HEADER.actor]: 'user:3' },
        },
      ],
    });
    const letter = await deadLetters.waitFor(({ message }) => headerValue(message.headers, HEADER.messageId) === 'bad-1');
    expect(headerValue(letter.message.headers, HEADER.deadLetterReason)).toMatch(/not JSON/);
    expect(headerValue(letter.message.headers, HEADER.deadLetterSourceTopic)).toBe(commandTopic);
    expect(letter.message.value?.toString()).toBe('{not json');

    const after = await client.send(Greet, { name: 'still here' }, { key: 'user-3', actor: 'user:3' });
    expect(after).toMatchObject({ status: 'accepted', data: { greeting: 'hello still here' } });
  });

  it('dead-letters a message without the required headers', async () => {
    await producer.send({ topic: commandTopic, messages: [{ key: 'user-4', value: '{}', headers: { [HEADER.messageId]: 'bad-2' } }] });
    const letter = await deadLetters.waitFor(({ message }) => headerValue(message.headers, HEADER.messageId) === 'bad-2');
    expect(headerValue(letter.message.headers, HEADER.deadLetterReason)).toMatch(
      /missing header\(s\): message-type, correlation-id, actor/,
    );
  });

  it('rejects and dead-letters a payload that breaks the schema, telling the caller why', async () => {
    const result = await client.send(Greet, { name: '', extra: true } as never, {
      key: 'user-5',
      actor: 'user:5',
      commandId: 'invalid-payload-1',
    });
    expect(result).toMatchObject({ status: 'rejected', code: 'INVALID_COMMAND' });
    expect(result.status === 'rejected' && result.message).toMatch(/\/name/);
    await deadLetters.waitFor(({ message }) => headerValue(message.headers, HEADER.messageId) === 'invalid-payload-1');
  });

  it('refuses a sender the contract does not list, an actor kind the sender may not assert, and a service naming another system, before the handler runs', async () => {
    const before = greetCalls;
    const refusals = await Promise.all([
      client.send(Wait, { label: 'forged' }, { key: 'f-1', actor: 'user:1', sender: 'gateway' }),
      client.send(Greet, { name: 'forged' }, { key: 'f-2', actor: 'support:agent-1' }),
      client.send(Greet, { name: 'forged' }, { key: 'f-3', actor: 'system:gateway' }),
      client.send(Greet, { name: 'forged' }, { key: 'f-4', actor: 'system:wallet', sender: 'payments' }),
      client.send(Greet, { name: 'forged' }, { key: 'f-5', actor: 'user:', sender: 'gateway' }),
      client.send(Wait, { label: 'forged' }, { key: 'f-6', actor: 'user:1', sender: 'internal' }),
    ]);
    expect(refusals.map((result) => (result.status === 'rejected' ? result.code : result.status))).toEqual(Array(6).fill('FORBIDDEN'));
    expect(refusals[0]).toMatchObject({ message: 'gateway may not send roundtrip.Wait.v1' });
    expect(refusals[3]).toMatchObject({ message: 'payments asserts system:payments, not system:wallet' });
    expect(greetCalls).toBe(before);
    expect(order).not.toContain('start forged');
    // The same command from a listed sender asserting an actor it may assert is handled.
    expect(await client.send(Greet, { name: 'Han Meimei' }, { key: 'f-7', actor: 'system:payments', sender: 'payments' })).toMatchObject({
      status: 'accepted',
    });
    expect(await client.send(Greet, { name: 'Han Meimei' }, { key: 'f-8', actor: 'system:risk-engine', sender: 'internal' })).toMatchObject(
      { status: 'accepted' },
    );
  });

  it('rejects a command type the service does not handle', async () => {
    const Unknown = defineCommand({
      type: `${context}.Unknown.v1`,
      context,
      description: 'nobody handles it',
      senders: { gateway: ['user'] },
      rejects: [],
      payload: Type.Object({}),
    });
    const result = await client.send(Unknown, {}, { key: 'k', actor: 'user:6' });
    expect(result).toMatchObject({ status: 'rejected', code: 'UNKNOWN_COMMAND' });
  });

  it("commits the reply consumer's position when the client stops, not after every fetch", async () => {
    const own = new KafkaCommandClient({
      kafka,
      clientName: 'roundtrip-commit',
      sender: 'internal',
      topicPrefix: prefix,
      defaultTimeoutMs: 20_000,
    });
    await own.start();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const results = await Promise.all([1, 2, 3].map((i) => own.send(Greet, { name: `n${i}` }, { key: `c-${i}`, actor: 'system:test' })));
      expect(results.every((result) => result.status === 'accepted')).toBe(true);
      const committed = async () =>
        (await admin.fetchOffsets({ groupId: own.replyTopic, topics: [own.replyTopic] }))[0]?.partitions[0]?.offset;
      // Three replies read, none committed yet (the periodic commit is seconds away).
      expect(await committed()).toBe('-1');
      await own.stop();
      expect(await committed()).toBe('3');
    } finally {
      await admin.disconnect();
    }
  });

  it('retries a failing handler a bounded number of times, then dead-letters the command', async () => {
    const result = await client.send(Explode, {}, { key: 'k', actor: 'user:7', commandId: 'explode-1' });
    expect(result).toMatchObject({ status: 'rejected', code: 'PROCESSING_FAILED' });
    expect(explodeCalls).toBe(2);
    const letter = await deadLetters.waitFor(({ message }) => headerValue(message.headers, HEADER.messageId) === 'explode-1');
    expect(headerValue(letter.message.headers, HEADER.deadLetterReason)).toMatch(/failed 2 times/);
  });
});

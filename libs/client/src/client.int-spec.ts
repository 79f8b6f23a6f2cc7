import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TRANSPORT_ERROR, identityContract, topics, walletContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { EventRelay, PostgresEventStore, eventToMessage, type NewEvent } from '@ledger/event-store';
import {
  CommandHandler,
  KafkaCommandServer,
  accepted,
  ensureTopics,
  producerDefaults,
  rejected,
  type CommandEnvelope,
} from '@ledger/messaging';
import { createTestDatabase, testKafka, uniqueSuffix, type TestDatabase } from '@ledger/testing';
import type { KafkaMessage, Producer } from 'kafkajs';
import {
  AcceptedDataMismatchError,
  CommandRejectedError,
  EventSubscriber,
  LedgerCommands,
  type LedgerEvent,
  type SkipReason,
} from './index';

const prefix = `t-${uniqueSuffix()}.`;
const KNOWN_USER = 'u-1';
/** A user the stand-in answers as identity does (`{ userId, frozenAt }`), where for KNOWN_USER it answers what the contract does not describe. */
const DESCRIBED_USER = 'u-described';

/** Stands in for identity on this file's command topics: it answers a risk engine's FreezeAccount for two users. */
@Controller()
class FreezeController {
  @CommandHandler(identityContract.freezeAccount)
  freeze(command: CommandEnvelope<PayloadOf<typeof identityContract.freezeAccount>>): CommandResult {
    if (command.payload.userId === DESCRIBED_USER)
      return accepted(command, { userId: DESCRIBED_USER, frozenAt: '2026-11-22T00:00:00.000Z' });
    if (command.payload.userId !== KNOWN_USER) return rejected(command, 'USER_NOT_FOUND', 'no such user');
    return accepted(command, { userId: KNOWN_USER, frozen: true, actor: command.actor });
  }
}

@Module({ controllers: [FreezeController] })
class FreezeModule {}

/**
 * Payloads that do not match their contract must not compile; `nx typecheck` checks these lines
 * (each `@ts-expect-error` fails the typecheck if its line compiles). Never called.
 */
export function payloadsAreTypedByTheirContract(commands: LedgerCommands): void {
  // @ts-expect-error phone is a string in identity's contract
  void commands.send(identityContract.findUserByPhone, { phone: 13812345678 }, { key: 'k', actor: 'system:test' });
  // @ts-expect-error walletId is required by GetBalance
  void commands.send(walletContract.getBalance, {}, { key: 'k', actor: 'system:test' });
}

/** Results are typed by their command's `accepted` schema; the `@ts-expect-error` lines are checked as above. Never called. */
export async function resultsAreTypedByTheirContract(commands: LedgerCommands): Promise<string> {
  const balance = await commands.request(walletContract.getBalance, { walletId: 'w-1' }, { key: 'w-1', actor: 'system:test' });
  // @ts-expect-error GetBalance answers availableMinor, not balanceMinor
  void balance.balanceMinor;
  // @ts-expect-error amounts are decimal strings, not numbers
  const available: number = balance.availableMinor;
  const result = await commands.send(identityContract.freezeAccount, { userId: 'u', reason: 'r' }, { key: 'u', actor: 'risk:test' });
  return result.status === 'accepted' ? `${result.data.frozenAt ?? 'not frozen'} ${available}` : result.code;
}

function accountFrozen(userId: string, reason: string): NewEvent {
  return {
    id: randomUUID(),
    type: identityContract.EVENT_TYPES.AccountFrozen,
    data: { userId, reason, actor: { kind: 'user' }, at: '2026-11-22T00:00:00.000Z' },
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: `user:${userId}`,
      occurredAt: '2026-11-22T00:00:00.000Z',
      schemaVersion: 1,
    },
  };
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('client library against the real broker', () => {
  const kafka = testKafka('client-test');

  describe('commands', () => {
    let service: INestMicroservice;
    let commands: LedgerCommands;

    beforeAll(async () => {
      const strategy = new KafkaCommandServer({ kafka, groupId: `${prefix}identity`, context: 'identity', topicPrefix: prefix });
      service = await NestFactory.createMicroservice(FreezeModule, { strategy, logger: false });
      await service.listen();
      commands = new LedgerCommands({ kafka, clientName: 'client-test', topicPrefix: prefix, defaultTimeoutMs: 20_000 });
      await commands.start();
    });

    afterAll(async () => {
      await commands.stop();
      await service.close();
    });

    it('sends a command and gets its result, correlated by command id', async () => {
      const commandId = randomUUID();
      const result = await commands.send(
        identityContract.freezeAccount,
        { userId: KNOWN_USER, reason: 'card skimming pattern' },
        { key: KNOWN_USER, actor: 'risk:skimming', commandId },
      );
      expect(result).toEqual({ status: 'accepted', commandId, data: { userId: KNOWN_USER, frozen: true, actor: 'risk:skimming' } });
    });

    it('gives the accepted data with request(), and throws the stable code of a rejection', async () => {
      await expect(
        commands.request(identityContract.freezeAccount, { userId: KNOWN_USER, reason: 'r' }, { key: KNOWN_USER, actor: 'risk:skimming' }),
      ).resolves.toMatchObject({ userId: KNOWN_USER });
      const refused = commands.request(
        identityContract.freezeAccount,
        { userId: 'u-unknown', reason: 'r' },
        { key: 'u-unknown', actor: 'risk:skimming' },
      );
      await expect(refused).rejects.toBeInstanceOf(CommandRejectedError);
      await expect(refused).rejects.toMatchObject({ code: 'USER_NOT_FOUND', commandType: identityContract.freezeAccount.type });
    });

    it('with validateResults, rejects accepted data its contract does not describe, naming what is wrong, and passes data it does', async () => {
      const checking = new LedgerCommands({
        kafka,
        clientName: 'client-test',
        topicPrefix: prefix,
        defaultTimeoutMs: 20_000,
        validateResults: true,
      });
      await checking.start();
      try {
        await expect(
          checking.request(
            identityContract.freezeAccount,
            { userId: DESCRIBED_USER, reason: 'r' },
            { key: DESCRIBED_USER, actor: 'risk:test' },
          ),
        ).resolves.toEqual({ userId: DESCRIBED_USER, frozenAt: '2026-11-22T00:00:00.000Z' });
        // The stand-in answers KNOWN_USER with `frozen` and no `frozenAt`: both calls refuse it.
        const sent = checking.send(
          identityContract.freezeAccount,
          { userId: KNOWN_USER, reason: 'r' },
          { key: KNOWN_USER, actor: 'risk:test' },
        );
        await expect(sent).rejects.toBeInstanceOf(AcceptedDataMismatchError);
        await expect(sent).rejects.toThrow(/identity\.FreezeAccount\.v1 .*\/frozenAt: Expected required property/);
        const requested = checking.request(
          identityContract.freezeAccount,
          { userId: KNOWN_USER, reason: 'r' },
          { key: KNOWN_USER, actor: 'risk:test' },
        );
        await expect(requested).rejects.toMatchObject({
          commandType: identityContract.freezeAccount.type,
          problems: [expect.stringContaining('/frozenAt')],
        });
      } finally {
        await checking.stop();
      }
    });

    it('answers TIMEOUT when no service answers in time', async () => {
      // The wallet command topic exists but nothing consumes it in this file.
      const admin = kafka.admin();
      await admin.connect();
      await ensureTopics(admin, [`${prefix}${topics.commandsFrom('wallet', 'internal')}`]).finally(() => admin.disconnect());
      const commandId = randomUUID();
      const result = await commands.send(
        walletContract.getBalance,
        { walletId: 'w-1' },
        { key: 'w-1', actor: 'system:client-test', commandId, timeoutMs: 300 },
      );
      expect(result).toMatchObject({ status: 'rejected', commandId, code: TRANSPORT_ERROR.TIMEOUT });
    });
  });

  describe('events', () => {
    let db: TestDatabase;
    let store: PostgresEventStore;
    let relay: EventRelay;
    let producer: Producer;
    const eventsTopic = `${prefix}${topics.events('identity')}`;

    beforeAll(async () => {
      db = await createTestDatabase('client');
      store = new PostgresEventStore({ connectionString: db.url });
      await store.init();
      relay = new EventRelay({
        store,
        kafka,
        topicFor: () => eventsTopic,
        name: 'client-test-relay',
        category: 'user',
        pollIntervalMs: 50,
      });
      await relay.start();
      producer = kafka.producer(producerDefaults);
      await producer.connect();
    });

    afterAll(async () => {
      await producer.disconnect();
      await relay.stop();
      await store.close();
      await db.drop();
    });

    /** Appends events to a fresh user stream; the relay publishes them to identity.events. */
    async function append(stream: string, ...events: NewEvent[]): Promise<void> {
      await store.append(stream, events, { expectedRevision: 'any' });
    }

    /**
     * A new consumer group reads the topic from the beginning, so it also sees the other tests'
     * events: `handle` is given only those of `stream`.
     */
    function subscriber(
      groupId: string,
      stream: string,
      handle: (event: LedgerEvent<'identity.AccountFrozen.v1'>) => void | Promise<void>,
      extra: { onSkipped?(reason: SkipReason, message: KafkaMessage): void; maxAttempts?: number } = {},
    ): EventSubscriber {
      return new EventSubscriber({
        kafka,
        groupId: `${prefix}${groupId}`,
        topicPrefix: prefix,
        handlers: { 'identity.AccountFrozen.v1': (event) => (event.stream === stream ? handle(event) : undefined) },
        retryDelayMs: 10,
        ...extra,
      });
    }

    it('hands each event once with its typed data, even when the same event is produced twice', async () => {
      const [first, second] = [accountFrozen('u-dup', 'lost phone'), accountFrozen('u-dup', 'again')];
      const stream = `user-${randomUUID()}`;
      await append(stream, first);
      const handled: LedgerEvent<'identity.AccountFrozen.v1'>[] = [];
      const events = subscriber(`dedupe-${randomUUID()}`, stream, (event) => void handled.push(event));
      await events.start();
      try {
        await waitUntil(() => handled.length === 1, 'the first event');
        // The relay re-sending a batch after a crash: the same stored event, produced again.
        const [stored] = await store.readStream(stream);
        await producer.send({ topic: eventsTopic, messages: [eventToMessage(stored!)] });
        await append(stream, second);
        await waitUntil(() => handled.some((event) => event.id === second.id), 'the second event');
        expect(handled.map((event) => event.id)).toEqual([first.id, second.id]);
        expect(handled[0]).toMatchObject({
          type: 'identity.AccountFrozen.v1',
          stream,
          revision: 0n,
          data: { userId: 'u-dup', reason: 'lost phone', actor: { kind: 'user' } },
        });
      } finally {
        await events.stop();
      }
    });

    it('hands an event again when its handler threw, through the uncommitted offset', async () => {
      const event = accountFrozen('u-retry', 'stolen');
      const stream = `user-${randomUUID()}`;
      await append(stream, event);
      const attempts: string[] = [];
      // One attempt in place: the redelivery has to come from Kafka, not from a local loop.
      const events = subscriber(
        `retry-${randomUUID()}`,
        stream,
        (received) => {
          attempts.push(received.id);
          if (attempts.length === 1) throw new Error('the database was briefly unavailable');
        },
        { maxAttempts: 1 },
      );
      await events.start();
      try {
        await waitUntil(() => attempts.length >= 2, 'the redelivered event', 45_000);
        expect(attempts.slice(0, 2)).toEqual([event.id, event.id]);
      } finally {
        await events.stop();
      }
    });

    it('resumes after a restart from the committed offset', async () => {
      const groupId = `restart-${randomUUID()}`;
      const [e1, e2, e3] = [accountFrozen('u-r', 'one'), accountFrozen('u-r', 'two'), accountFrozen('u-r', 'three')];
      const stream = `user-${randomUUID()}`;
      await append(stream, e1, e2);
      const before: string[] = [];
      const first = subscriber(groupId, stream, (event) => void before.push(event.id));
      await first.start();
      try {
        await waitUntil(() => before.length === 2, 'the first two events');
      } finally {
        await first.stop();
      }

      await append(stream, e3);
      const after: string[] = [];
      const restarted = subscriber(groupId, stream, (event) => void after.push(event.id));
      await restarted.start();
      try {
        // e1 and e2 sit before e3 in the same partition: had they been handed again, they would be here first.
        await waitUntil(() => after.includes(e3.id), 'the event appended while stopped');
        expect(before).toEqual([e1.id, e2.id]);
        expect(after).toEqual([e3.id]);
      } finally {
        await restarted.stop();
      }
    });

    it('passes over an event whose data does not match its contract, and carries on', async () => {
      const broken: NewEvent = { ...accountFrozen('u-bad', 'x'), data: { userId: 'u-bad' } };
      const fine = accountFrozen('u-bad', 'fine');
      const stream = `user-${randomUUID()}`;
      await append(stream, broken, fine);
      const handled: string[] = [];
      const skipped: { reason: SkipReason; id: string | undefined }[] = [];
      const events = subscriber(`skip-${randomUUID()}`, stream, (event) => void handled.push(event.id), {
        onSkipped: (reason, message) => void skipped.push({ reason, id: message.headers?.['message-id']?.toString() }),
      });
      await events.start();
      try {
        await waitUntil(() => handled.includes(fine.id), 'the valid event');
        expect(handled).not.toContain(broken.id);
        expect(skipped).toContainEqual({ reason: 'invalid_data', id: broken.id });
      } finally {
        await events.stop();
      }
    });
  });
});

import { randomUUID } from 'node:crypto';
import { TRANSPORT_ERROR, topics, type CommandContract, type CommandResult, type PayloadOf, type Sender } from '@ledger/contracts';
import { retryWithBackoff, type RetryPolicy } from '@ledger/util';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { decodeResult, encodeCommand } from './envelope';
import { CoalescingProducer } from './coalescing-producer';
import { ensureTopics, producerDefaults } from './kafka';
import { runCommittingPeriodically, type PeriodicOffsetCommits } from './periodic-offset-commits';
import { activeTracing } from './tracing/tracing';

export interface SendOptions {
  /** The Kafka key: the id of the aggregate the command targets (keeps its commands in order). */
  key: string;
  /** Who asks, e.g. `user:<id>` or `system:payments`. */
  actor: string;
  /** Reuse to retry safely: the service answers a repeated command id with the original result. */
  commandId?: string;
  correlationId?: string;
  causationId?: string;
  timeoutMs?: number;
  /** Writes as another sender than the client's (the tests, which play every sender); the broker refuses a sender the login may not write as. */
  sender?: Sender;
}

export interface KafkaCommandClientOptions {
  kafka: Kafka;
  /** The sender this client writes as: its commands go to `<context>.commands.from.<sender>`, which only that sender's principals may write. */
  sender: Sender;
  /** Names the client in topic and group names, e.g. `gateway`. */
  clientName: string;
  /** Distinguishes instances of one client; each instance reads only its own reply topic. */
  instanceId?: string;
  defaultTimeoutMs?: number;
  /** Prefix of every topic name, to keep test runs or tenants apart (e.g. `t-abc123.`). */
  topicPrefix?: string;
  /** Bound on commands awaiting a result at once; `send` refuses beyond it rather than queueing forever. */
  maxPending?: number;
}

interface Pending {
  resolve(result: CommandResult): void;
  timer: NodeJS.Timeout;
}

/**
 * Sends commands over Kafka and awaits their single result.
 *
 * Each client instance owns a reply topic (`replies.<client>.<instance>`) read by a consumer group
 * of its own, so replies reach the instance that is waiting whatever happens to other instances or
 * to the services' consumer groups. A duplicate result (a service re-delivered a command after a
 * crash) finds nothing pending and is dropped.
 */
export class KafkaCommandClient {
  readonly replyTopic: string;
  private producer?: Producer;
  private outbox?: CoalescingProducer;
  private consumer?: Consumer;
  private readonly pending = new Map<string, Pending>();
  private commits?: PeriodicOffsetCommits;
  /** How often the reply consumer's position is committed. */
  private static readonly REPLY_COMMIT_INTERVAL_MS = 5_000;
  private consumerState: 'stopped' | 'running' | 'restarting' | 'crashed' = 'stopped';

  constructor(private readonly options: KafkaCommandClientOptions) {
    const instanceId = options.instanceId ?? randomUUID().slice(0, 8);
    this.replyTopic = `${options.topicPrefix ?? ''}${topics.replies(options.clientName, instanceId)}`;
  }

  async start(): Promise<void> {
    const { kafka } = this.options;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [this.replyTopic], 1);
    } finally {
      await admin.disconnect();
    }
    this.producer = kafka.producer(producerDefaults);
    await this.producer.connect();
    this.outbox = new CoalescingProducer(this.producer);
    this.consumer = kafka.consumer({ groupId: this.replyTopic, sessionTimeout: 30_000 });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => (this.consumerState = payload.restart ? 'restarting' : 'crashed'));
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.consumerState = 'running'));
    await this.consumer.connect();
    // From the beginning: a reply produced before this consumer's first fetch is still read.
    await this.consumer.subscribe({ topic: this.replyTopic, fromBeginning: true });
    // Offsets are committed every few seconds, not after every fetch (KafkaJS's default): the reply
    // topic is this instance's alone, so the position only matters if its group rejoins, and a
    // commit per fetch made offset commits the broker's most written topic. After a rejoin at most
    // a few seconds of replies are read again; nothing is pending for them, so they are dropped.
    this.commits = await runCommittingPeriodically(this.consumer, {
      commitIntervalMs: KafkaCommandClient.REPLY_COMMIT_INTERVAL_MS,
      eachMessage: async ({ message }) => {
        const result = decodeResult(message);
        if (!result) return;
        const waiting = this.pending.get(result.commandId);
        if (!waiting) return;
        this.pending.delete(result.commandId);
        clearTimeout(waiting.timer);
        waiting.resolve(result);
      },
    });
    this.consumerState = 'running';
  }

  /**
   * The reply consumer as its events tell it: `running`; `restarting` after a crash KafkaJS retries
   * (the broker went away: it comes back with it); `crashed` after one it gave up on, from which
   * this client never recovers; `stopped` before `start()` and after `stop()`.
   */
  get replyConsumerState(): 'stopped' | 'running' | 'restarting' | 'crashed' {
    return this.consumerState;
  }

  /**
   * Sends one command to its context's command topic for this client's sender and resolves with its result, or with a
   * rejected `TIMEOUT` result when none arrives in time (the command may still complete: resend it
   * with the same `commandId` to learn its outcome).
   */
  async send<C extends CommandContract>(contract: C, payload: PayloadOf<C>, options: SendOptions): Promise<CommandResult> {
    if (!this.producer) throw new Error('KafkaCommandClient.start() was not called');
    const maxPending = this.options.maxPending ?? 10_000;
    if (this.pending.size >= maxPending) throw new Error(`more than ${maxPending} commands awaiting results`);
    const commandId = options.commandId ?? randomUUID();
    if (this.pending.has(commandId)) throw new Error(`command ${commandId} is already awaiting its result`);
    const correlationId = options.correlationId ?? commandId;
    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs ?? 10_000;
    const result = new Promise<CommandResult>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(commandId);
        resolve({ status: 'rejected', commandId, code: TRANSPORT_ERROR.TIMEOUT, message: `no result within ${timeoutMs} ms` });
      }, timeoutMs);
      this.pending.set(commandId, { resolve, timer });
    });
    const topic = `${this.options.topicPrefix ?? ''}${topics.commandsFrom(contract.context, options.sender ?? this.options.sender)}`;
    const message = encodeCommand({
      commandId,
      type: contract.type,
      key: options.key,
      correlationId,
      causationId: options.causationId ?? correlationId,
      replyTo: this.replyTopic,
      actor: options.actor,
      occurredAt: new Date().toISOString(),
      payload,
    });
    // Tracing off (the default), this is one read; on, the command carries its span's `traceparent`.
    const traced = activeTracing()?.commandSent(
      { type: contract.type, context: contract.context, topic, actor: options.actor },
      message.headers!,
    );
    try {
      await this.outbox!.send(topic, [message]);
    } catch (error) {
      traced?.(undefined, error);
      throw error;
    }
    if (traced) void result.then(traced);
    return result;
  }

  async stop(): Promise<void> {
    for (const [commandId, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.resolve({ status: 'rejected', commandId, code: TRANSPORT_ERROR.TIMEOUT, message: 'client stopped' });
    }
    this.pending.clear();
    this.consumerState = 'stopped';
    await this.commits?.stop();
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}

/**
 * A result that says nothing about the command's outcome: no answer in time, or the handler failed
 * before it decided. The command may have taken effect; resending it with the same command id is
 * safe, as the service answers a repeat from its own history.
 */
export function isUnanswered(result: CommandResult): boolean {
  return result.status === 'rejected' && (result.code === TRANSPORT_ERROR.TIMEOUT || result.code === TRANSPORT_ERROR.PROCESSING_FAILED);
}

/** Sends a command and resends it, with the same command id, while it is unanswered (bounded by the policy, with backoff). */
export function sendWithResends<C extends CommandContract>(
  client: Pick<KafkaCommandClient, 'send'>,
  contract: C,
  payload: PayloadOf<C>,
  options: SendOptions & { commandId: string },
  policy: RetryPolicy,
): Promise<CommandResult> {
  return retryWithBackoff(policy, () => client.send(contract, payload, options), isUnanswered);
}

import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import {
  HEADER,
  TRANSPORT_ERROR,
  senderOfCommandTopic,
  senderRefusal,
  topics,
  type CommandContract,
  type CommandResult,
  type Sender,
} from '@ledger/contracts';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import type { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { CommandHandlerExtras } from './command-handler.decorator';
import { MalformedMessage, decodeCommand, encodeResult, type CommandEnvelope } from './envelope';
import { ensureTopics, producerDefaults } from './kafka';
import { CoalescingProducer } from './coalescing-producer';
import { PartitionPipeline } from './partition-pipeline';
import { rejected } from './results';
import { deadLetters, health, type DeadLetterReason } from '@ledger/observability';
import { BrokerProbe } from './observability/broker-probe';
import { CommandMetrics, UNKNOWN_COMMAND_LABEL, UNPARSED_COMMAND_LABEL } from './observability/command-metrics';
import { ConsumerLagSampler } from './observability/consumer-lag';
import { withLogContext, type LogContext } from './logging/log-context';
import { activeTracing } from './tracing/tracing';

export interface KafkaCommandServerOptions {
  kafka: Kafka;
  /** Consumer group: all instances of one service share it, so each command is handled once. */
  groupId: string;
  /** The context whose commands this server handles; it reads `<prefix><context>.commands.from.<sender>` for every sender its handlers' contracts list. */
  context: string;
  /** Prefix of every topic name (isolated test runs). */
  topicPrefix?: string;
  /** Partitions fetched in parallel by one instance. */
  partitionsConsumedConcurrently?: number;
  /**
   * Commands of one partition handled at once (order is kept per key, i.e. per aggregate); the
   * committed offset trails the oldest unfinished one. Default 256; 1 handles a partition serially.
   */
  maxInFlightPerPartition?: number;
  /** Attempts at a handler that throws (an infrastructure fault) before the command is dead-lettered. */
  maxAttempts?: number;
  /** Partitions for topics this server creates. */
  numPartitions?: number;
}

type Handler = NonNullable<ReturnType<Server['getHandlerByPattern']>>;

/** The senders most commands come from (the users' through the gateway, and payments' steps); the rest send few: pings, internal systems' queries, cards' password checks. */
const BUSY_SENDERS: ReadonlySet<Sender> = new Set(['gateway', 'payments']);

/**
 * A NestJS transport that consumes commands from Kafka and answers each one with exactly one result
 * on its `reply-to` topic, correlated by `correlation-id`.
 *
 * Why not Nest's built-in Kafka transport: it routes replies through a reply-partition assignment
 * that breaks on consumer-group rebalances and with several client instances. Here the reply topic
 * is simply named by the caller, so any instance may answer any command.
 *
 * Delivery: the offset is committed only after the result was produced, so a crash re-delivers
 * the command; handlers are idempotent by command id and answer a repeat with the original result.
 * Messages that cannot be parsed or validated go to `<topic>.dead-letters` with the reason, and the
 * consumer keeps running.
 *
 * Senders: each sender writes to a command topic of its own, which the broker lets only that sender's
 * principals write, so the topic names who sent a command. A command whose contract does not list
 * that sender, or the actor it asserts, is answered `FORBIDDEN` before its handler runs (deny by
 * default; see `senderRefusal`).
 */
export class KafkaCommandServer extends Server implements CustomTransportStrategy {
  private consumer?: Consumer;
  private producer?: Producer;
  private outbox?: CoalescingProducer;
  private readonly validators = new Map<string, TypeCheck<TSchema>>();
  /**
   * The handler of each command type found so far. Nest's look-up first tries the pattern as JSON,
   * and a plain type name makes it throw and catch an exception on every message (~2% of a
   * service's CPU under load). Only found handlers are kept, so the map is bounded by the handlers.
   */
  private readonly handlers = new Map<string, Handler>();
  /** One pipeline per assigned partition (`topic:partition`), replaced at every rebalance. */
  private pipelines = new Map<string, PartitionPipeline>();
  private readonly metrics = new CommandMetrics();
  private lag?: ConsumerLagSampler;
  private probe?: BrokerProbe;
  private readonly healthChecks: Array<() => void> = [];
  /** The consumer as its events tell it: `restarting` after a crash KafkaJS retries, `crashed` after one it gives up on. */
  private consumerState: 'running' | 'restarting' | 'crashed' | 'stopped' = 'stopped';

  constructor(private readonly options: KafkaCommandServerOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** The command topics of every sender some handler's contract lists. */
  private commandTopics(): string[] {
    const senders = new Set<Sender>();
    for (const handler of this.messageHandlers.values()) {
      const contract = contractOf(handler);
      for (const sender of Object.keys(contract?.senders ?? {}) as Sender[]) senders.add(sender);
    }
    return [...senders].sort().map((sender) => `${this.options.topicPrefix ?? ''}${topics.commandsFrom(this.options.context, sender)}`);
  }

  private async start(): Promise<void> {
    const { kafka, groupId } = this.options;
    const commandTopics = this.commandTopics();
    if (commandTopics.length === 0) throw new Error(`no handler of ${this.options.context} names a sender`);
    const admin = kafka.admin();
    await admin.connect();
    try {
      // The busy senders' topics get the full partition count; the others one partition, since a
      // consumer's every fetch covers every partition it owns, busy or idle.
      const busy = commandTopics.filter((topic) => BUSY_SENDERS.has(senderOfCommandTopic(topic)!));
      const quiet = commandTopics.filter((topic) => !busy.includes(topic));
      await ensureTopics(admin, [...busy, ...commandTopics.map(topics.deadLetters)], this.options.numPartitions);
      if (quiet.length > 0) await ensureTopics(admin, quiet, 1);
    } finally {
      await admin.disconnect();
    }
    this.producer = kafka.producer({ ...producerDefaults, allowAutoTopicCreation: true });
    await this.producer.connect();
    this.outbox = new CoalescingProducer(this.producer);
    this.consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, allowAutoTopicCreation: false });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: commandTopics, fromBeginning: true });
    // After a rebalance the partitions restart from their committed offsets: start fresh pipelines
    // (the old ones finish what they started, and stop committing).
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.retirePipelines());
    this.watchHealth(this.consumer, commandTopics);
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const pipeline = this.pipelineFor(batch.topic, batch.partition);
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          await pipeline.submit(message.offset, message.key?.toString() ?? '', () =>
            this.handleMessage({ topic: batch.topic, partition: batch.partition, message }),
          );
          // Resolved = handed to the pipeline, so the next fetch goes on from here; the commit is the pipeline's.
          resolveOffset(message.offset);
          await heartbeat();
        }
      },
    });
  }

  private pipelineFor(topic: string, partition: number): PartitionPipeline {
    const id = `${topic}:${partition}`;
    let pipeline = this.pipelines.get(id);
    if (!pipeline) {
      pipeline = new PartitionPipeline({
        maxInFlight: this.options.maxInFlightPerPartition ?? 256,
        commit: (offset) => this.consumer!.commitOffsets([{ topic, partition, offset }]),
        onError: (error, offset) => this.logger.error(`${topic}[${partition}]@${offset}: ${describe(error)}`),
      });
      this.pipelines.set(id, pipeline);
    }
    return pipeline;
  }

  private retirePipelines(): void {
    const retired = [...this.pipelines.values()];
    this.pipelines = new Map();
    for (const pipeline of retired) void pipeline.drain(30_000);
  }

  private async handleMessage({ topic, partition, message }: Pick<EachMessagePayload, 'topic' | 'partition' | 'message'>): Promise<void> {
    const startedAt = performance.now();
    let command: CommandEnvelope;
    try {
      command = decodeCommand(message);
    } catch (error) {
      if (!(error instanceof MalformedMessage)) throw error;
      await this.deadLetter(topic, partition, message.offset, message, error.reason, 'malformed');
      this.metrics.count(UNPARSED_COMMAND_LABEL, 'rejected', 'invalid', startedAt);
      if (error.replyTo && error.correlationId && error.commandId) {
        await this.reply(
          error.replyTo,
          error.correlationId,
          rejected({ commandId: error.commandId }, TRANSPORT_ERROR.INVALID_COMMAND, error.reason),
        );
      }
      return;
    }

    // Every line logged while the command is handled carries its ids; with tracing on, the handling
    // is a span that continues the sender's trace, so what the handler sends continues it too.
    const scope: LogContext = { correlationId: command.correlationId, commandId: command.commandId, actor: command.actor };
    const handle = () =>
      withLogContext(scope, () => this.handleCommand(topic, partition, message, command)).then((result) =>
        this.metrics.record(this.handlers.has(command.type) ? command.type : UNKNOWN_COMMAND_LABEL, result, startedAt),
      );
    const span = activeTracing()?.commandReceived(
      { type: command.type, context: this.options.context, topic, actor: command.actor },
      message.headers,
    );
    if (!span) {
      await handle();
      return;
    }
    scope.traceId = span.traceId;
    try {
      span.end(await span.run(handle));
    } catch (error) {
      span.end(undefined, error);
      throw error;
    }
  }

  /** Handles a decoded command; resolves with the result it answered. */
  private async handleCommand(
    topic: string,
    partition: number,
    message: EachMessagePayload['message'],
    command: CommandEnvelope,
  ): Promise<CommandResult> {
    const handler = this.handlerFor(command.type);
    if (!handler) {
      const reason = `no handler for ${command.type} in this service`;
      await this.deadLetter(topic, partition, message.offset, message, reason, 'unknown_command');
      return this.replyTo(command, rejected(command, TRANSPORT_ERROR.UNKNOWN_COMMAND, reason));
    }

    const refusal = this.refusal(handler, topic, command.actor);
    if (refusal) {
      // Not dead-lettered: there is nothing to repair or replay; the warning is the security log.
      this.logger.warn(`refused ${command.type} ${command.commandId} from ${topic} (actor ${command.actor.slice(0, 80)}): ${refusal}`);
      return this.replyTo(command, rejected(command, TRANSPORT_ERROR.FORBIDDEN, refusal));
    }

    const problems = this.validate(handler, command.payload);
    if (problems) {
      const reason = `payload does not match ${command.type}: ${problems}`;
      await this.deadLetter(topic, partition, message.offset, message, reason, 'invalid_payload');
      return this.replyTo(command, rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, reason));
    }

    const result = await this.invokeWithRetry(handler, command);
    if (result === undefined) {
      const reason = `handler for ${command.type} failed ${this.maxAttempts} times`;
      await this.deadLetter(topic, partition, message.offset, message, reason, 'processing_failed');
      return this.replyTo(
        command,
        rejected(command, TRANSPORT_ERROR.PROCESSING_FAILED, 'the command could not be processed; it was set aside for operators'),
      );
    }
    return this.replyTo(command, result);
  }

  private handlerFor(type: string): Handler | undefined {
    let handler = this.handlers.get(type);
    if (!handler) {
      handler = this.getHandlerByPattern(type) ?? undefined;
      if (handler) this.handlers.set(type, handler);
    }
    return handler;
  }

  private get maxAttempts(): number {
    return this.options.maxAttempts ?? 5;
  }

  /** Retries a throwing handler with exponential backoff; undefined once the attempts are used up. */
  private async invokeWithRetry(handler: Handler, command: CommandEnvelope): Promise<CommandResult | undefined> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        const output = await handler(command);
        return (await lastValueFrom(this.transformToObservable(output))) as CommandResult;
      } catch (error) {
        this.logger.error(`${command.type} ${command.commandId} attempt ${attempt}/${this.maxAttempts} failed: ${describe(error)}`);
        if (attempt < this.maxAttempts) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2_000)));
      }
    }
    return undefined;
  }

  /** Why the sender (named by the topic) may not send this command as this actor, or undefined. */
  private refusal(handler: Handler, topic: string, actor: string): string | undefined {
    const contract = contractOf(handler);
    if (!contract) return 'the handler declares no contract, so no sender may call it';
    const sender = senderOfCommandTopic(topic);
    if (!sender) return `${topic} is not a sender's command topic`;
    return senderRefusal(contract, sender, actor);
  }

  private validate(handler: Handler, payload: unknown): string | undefined {
    const contract = contractOf(handler);
    if (!contract) return undefined;
    let check = this.validators.get(contract.type);
    if (!check) {
      check = TypeCompiler.Compile(contract.payload);
      this.validators.set(contract.type, check);
    }
    if (check.Check(payload)) return undefined;
    return [...check.Errors(payload)]
      .slice(0, 5)
      .map((e) => `${e.path || '/'} ${e.message}`)
      .join('; ');
  }

  private async replyTo(command: CommandEnvelope, result: CommandResult): Promise<CommandResult> {
    if (command.replyTo) await this.reply(command.replyTo, command.correlationId, result);
    return result;
  }

  private async reply(topic: string, correlationId: string, result: CommandResult): Promise<void> {
    await this.outbox!.send(topic, [encodeResult(result, correlationId)]);
  }

  private async deadLetter(
    topic: string,
    partition: number,
    offset: string,
    message: EachMessagePayload['message'],
    reason: string,
    kind: DeadLetterReason,
  ): Promise<void> {
    this.logger.warn(`dead-lettered ${topic}[${partition}]@${offset}: ${reason}`);
    deadLetters.labels(topic, kind).inc();
    await this.outbox!.send(topics.deadLetters(topic), [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [HEADER.deadLetterReason]: reason,
          [HEADER.deadLetterSourceTopic]: topic,
          [HEADER.deadLetterSourcePartition]: String(partition),
          [HEADER.deadLetterSourceOffset]: offset,
        },
      },
    ]);
  }

  /**
   * Health and lag of the running consumer: readiness while the consumer runs and the broker
   * answers, liveness unless the consumer crashed for good; its group's lag sampled on a timer.
   */
  private watchHealth(consumer: Consumer, commandTopics: string[]): void {
    const { kafka, groupId } = this.options;
    this.consumerState = 'running';
    consumer.on(consumer.events.GROUP_JOIN, () => (this.consumerState = 'running'));
    consumer.on(consumer.events.CRASH, ({ payload }) => (this.consumerState = payload.restart ? 'restarting' : 'crashed'));
    const probe = (this.probe = new BrokerProbe(kafka));
    this.healthChecks.push(
      health.register({
        name: 'kafka',
        kind: 'readiness',
        check: async () => {
          if (this.consumerState !== 'running') throw new Error(`command consumer ${groupId} is ${this.consumerState}`);
          await probe.check();
        },
      }),
      health.register({
        name: 'kafka-consumer',
        kind: 'liveness',
        check: () => {
          if (this.consumerState === 'crashed') throw new Error(`command consumer ${groupId} crashed and will not restart`);
        },
      }),
    );
    this.lag = new ConsumerLagSampler({ kafka, groupId, topics: () => commandTopics });
    this.lag.start();
  }

  async close(): Promise<void> {
    this.consumerState = 'stopped';
    for (const remove of this.healthChecks.splice(0)) remove();
    await this.lag?.stop();
    await this.probe?.close();
    // Stop fetching, let the commands in flight finish and commit them, then leave the group.
    await this.consumer?.stop();
    await Promise.all([...this.pipelines.values()].map((pipeline) => pipeline.drain(10_000)));
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }

  on(): never {
    throw new Error('KafkaCommandServer does not emit events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}

function contractOf(handler: Handler): CommandContract | undefined {
  return (handler.extras as Partial<CommandHandlerExtras> | undefined)?.contract;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : JSON.stringify(error);
}

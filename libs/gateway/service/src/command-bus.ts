import { randomUUID } from 'node:crypto';
import type { CommandContract, CommandResult, PayloadOf } from '@ledger/contracts';
import { BrokerProbe, KafkaCommandClient, createKafka, currentLogContext } from '@ledger/messaging';
import { health } from '@ledger/observability';
import type { Kafka } from 'kafkajs';
import { GATEWAY_ERROR, ProblemError, problemFromRejection } from './problem';

/**
 * What the routes need from the message bus: send one command, get its data or a ProblemError
 * carrying the service's stable code. An interface so that the OpenAPI document can be built from
 * the code without a broker.
 */
export interface CommandBus {
  /** Cheap, for every request: started, and its reply consumer running. */
  isReady(): boolean;
  /** For the readiness probe: resolves when ready and the broker answers now, else rejects with the reason. */
  checkReady?(): Promise<void>;
  send<C extends CommandContract>(
    contract: C,
    payload: PayloadOf<C>,
    options: { key: string; actor: string; correlationId?: string; timeoutMs?: number },
  ): Promise<CommandResult>;
  stop(): Promise<void>;
}

export const COMMAND_BUS = Symbol('COMMAND_BUS');

export class KafkaCommandBus implements CommandBus {
  private readonly client: KafkaCommandClient;
  private readonly probe: BrokerProbe;
  private removeHealthCheck?: () => void;
  private ready = false;

  constructor(options: { kafka?: Kafka; topicPrefix: string; timeoutMs: number; instanceId?: string }) {
    const kafka = options.kafka ?? createKafka('gateway');
    this.probe = new BrokerProbe(kafka);
    this.client = new KafkaCommandClient({
      kafka,
      clientName: 'gateway',
      sender: 'gateway',
      instanceId: options.instanceId,
      topicPrefix: options.topicPrefix,
      defaultTimeoutMs: options.timeoutMs,
      maxPending: 5_000,
    });
  }

  async start(): Promise<void> {
    await this.client.start();
    this.ready = true;
    this.removeHealthCheck = health.register({ name: 'kafka-replies', kind: 'readiness', check: () => this.checkReady() });
  }

  isReady(): boolean {
    // While KafkaJS restarts the reply consumer (the broker is away) no answer can arrive: refuse at once rather than time out.
    return this.ready && this.client.replyConsumerState === 'running';
  }

  async checkReady(): Promise<void> {
    if (!this.ready) throw new Error('the Kafka command client is not started');
    const state = this.client.replyConsumerState;
    if (state !== 'running') throw new Error(`the Kafka reply consumer is ${state}`);
    await this.probe.check();
  }

  send<C extends CommandContract>(
    contract: C,
    payload: PayloadOf<C>,
    options: { key: string; actor: string; correlationId?: string; timeoutMs?: number },
  ): Promise<CommandResult> {
    return this.client.send(contract, payload, options);
  }

  async stop(): Promise<void> {
    this.ready = false;
    this.removeHealthCheck?.();
    await this.probe.close();
    await this.client.stop();
  }
}

/** Sends a command and returns its accepted data; a rejection becomes the matching Problem Details. */
export async function execute<C extends CommandContract>(
  bus: CommandBus,
  contract: C,
  payload: PayloadOf<C>,
  options: { key: string; actor: string; timeoutMs?: number },
): Promise<Record<string, unknown>> {
  if (!bus.isReady())
    throw new ProblemError(GATEWAY_ERROR.NOT_READY, 'the gateway is not connected to the message bus yet', undefined, {
      'Retry-After': '5',
    });
  // The request's correlation id (its `x-correlation-id`), and its actor on the lines logged from here on.
  const scope = currentLogContext();
  if (scope) scope.actor = options.actor;
  let result: CommandResult;
  try {
    result = await bus.send(contract, payload, { ...options, correlationId: scope?.correlationId ?? randomUUID() });
  } catch {
    // The client refuses beyond its bound of pending commands, or the broker is unreachable.
    throw new ProblemError(GATEWAY_ERROR.SERVICE_UNAVAILABLE, 'the message bus is unavailable; try again', undefined, {
      'Retry-After': '5',
    });
  }
  if (result.status === 'accepted') return result.data ?? {};
  throw problemFromRejection(result.code, result.message, result.details);
}

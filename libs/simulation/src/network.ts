/**
 * Kafka as the services use it, in memory: command topics per context, a reply path per client
 * instance, and a command client with `KafkaCommandClient.send`'s contract.
 *
 * What it keeps of Kafka (the guarantees the code may rely on):
 * - a context's commands of one key are handled one at a time, in the order they were produced
 *   (the partition pipeline), by whichever live instance of the service holds the partition;
 * - a command whose handling had not finished when its instance crashed is delivered again to the
 *   next instance (the offset is committed only after the result);
 * - commands and results are JSON on the wire (encoded and decoded by the real envelope codec);
 * - the transport refuses a sender or actor the contract does not list (`senderRefusal`), refuses a
 *   payload its schema does not accept, and retries a throwing handler (5 attempts, backoff) before
 *   answering PROCESSING_FAILED.
 * What it does to them (the faults): latency and long delays, a command delivered twice, a result
 * sent twice or never, a command lost, a producer that fails.
 * A result reaches only the client instance that sent the command: a restarted client has a new
 * reply topic, so results for the old one are never read (the caller times out and resends).
 */
import { TRANSPORT_ERROR, senderRefusal, type CommandContract, type CommandResult, type PayloadOf, type Sender } from '@ledger/contracts';
import { decodeCommand, decodeResult, encodeCommand, rejected, type CommandEnvelope, type SendOptions } from '@ledger/messaging';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import type { KafkaMessage } from 'kafkajs';
import type { SimContext } from './context';
import { WORLD, type Owner, type SimEvent } from './scheduler';

/** A component that handles a context's commands (one instance of a service). */
export interface Endpoint {
  readonly owner: Owner;
  handle(envelope: CommandEnvelope): Promise<CommandResult>;
}

/** Whoever waits for results: a command client instance. */
export interface ReplyTarget {
  readonly owner: Owner;
  receive(result: CommandResult): void;
}

export interface ServiceOptions {
  /** The live instances; a command waits in its topic while there is none. */
  instances(): Endpoint[];
  /** The contracts it handles, by type: the transport's checks (sender, actor, payload schema). */
  contracts?: ReadonlyMap<string, CommandContract>;
}

interface Delivery {
  envelope: CommandEnvelope;
  sender: Sender;
  replyTo: ReplyTarget | undefined;
  /** Simulated time at which it may be consumed. */
  readyAt: number;
}

interface Service {
  readonly context: string;
  readonly options: ServiceOptions;
  readonly queues: Map<string, Delivery[]>;
  readonly busy: Map<string, { delivery: Delivery; endpoint: Endpoint }>;
  readonly scheduled: Map<string, SimEvent>;
}

/** Compiled payload schemas, by command type (shared by every schedule: compiling is the costly part). */
const VALIDATORS = new Map<string, TypeCheck<TSchema>>();

/** Attempts at a throwing handler before PROCESSING_FAILED (as `KafkaCommandServer`). */
const MAX_HANDLER_ATTEMPTS = 5;

export class Bus {
  private readonly services = new Map<string, Service>();
  /** Results produced, commands consumed (for the report). */
  delivered = 0;

  constructor(
    private readonly ctx: SimContext,
    /** Told of every exception a handler threw (the transport retries it). */
    private readonly handlerFailed: (where: string, error: unknown) => void,
  ) {}

  serve(context: string, options: ServiceOptions): void {
    this.services.set(context, { context, options, queues: new Map(), busy: new Map(), scheduled: new Map() });
  }

  /** Produces a command to its context's topic (after the envelope codec's round trip). */
  produce(envelope: CommandEnvelope, sender: Sender, replyTo: ReplyTarget | undefined): void {
    const service = this.services.get(contextOf(envelope.type));
    if (!service) throw new Error(`no simulated service consumes ${envelope.type}`);
    const message = encodeCommand(envelope);
    const decoded = decodeCommand({ ...message, offset: '0', timestamp: '0', attributes: 0, size: 0 } as unknown as KafkaMessage);
    if (this.ctx.fault('drop', this.ctx.profile.dropCommandChance, () => `command ${envelope.type} ${envelope.commandId} lost`)) return;
    const readyAt = this.ctx.scheduler.now + this.ctx.latency(() => `command ${envelope.commandId} delayed`);
    this.enqueue(service, { envelope: decoded, sender, replyTo, readyAt }, false);
  }

  /** Commands waiting or being handled (quiescence). */
  get inFlight(): number {
    let count = 0;
    for (const service of this.services.values()) {
      count += service.busy.size;
      for (const queue of service.queues.values()) count += queue.length;
    }
    return count;
  }

  /** An instance died: the commands it was handling are delivered again (their offsets were not committed). */
  crashed(owner: Owner): void {
    for (const service of this.services.values()) {
      for (const [key, { delivery, endpoint }] of [...service.busy]) {
        if (endpoint.owner !== owner) continue;
        service.busy.delete(key);
        this.ctx.scheduler.note(() => `redeliver ${delivery.envelope.type} ${delivery.envelope.commandId} (consumer died)`);
        this.enqueue(service, { ...delivery, readyAt: this.ctx.scheduler.now }, true);
      }
    }
  }

  /** Instances changed (one started): every waiting key is looked at again. */
  wake(context: string): void {
    const service = this.services.get(context);
    if (!service) return;
    for (const key of service.queues.keys()) this.kick(service, key);
  }

  private enqueue(service: Service, delivery: Delivery, atFront: boolean): void {
    const key = delivery.envelope.key;
    let queue = service.queues.get(key);
    if (!queue) {
      queue = [];
      service.queues.set(key, queue);
    }
    if (atFront) queue.unshift(delivery);
    else queue.push(delivery);
    this.kick(service, key);
  }

  /** Schedules the consumption of the key's next command, if it may go now. */
  private kick(service: Service, key: string): void {
    if (service.busy.has(key) || service.scheduled.has(key)) return;
    const queue = service.queues.get(key);
    const head = queue?.[0];
    if (!head) {
      if (queue) service.queues.delete(key);
      return;
    }
    const event = this.ctx.scheduler.after(
      Math.max(0, head.readyAt - this.ctx.scheduler.now),
      'deliver',
      () => {
        service.scheduled.delete(key);
        this.consume(service, key);
      },
      { owner: WORLD, detail: () => `${head.envelope.type} ${head.envelope.commandId}` },
    );
    service.scheduled.set(key, event);
  }

  private consume(service: Service, key: string): void {
    const instances = service.options.instances();
    const queue = service.queues.get(key);
    if (instances.length === 0 || !queue || queue.length === 0) return; // waits in the topic; `wake` looks again
    const delivery = queue.shift()!;
    const endpoint = instances.length === 1 ? instances[0]! : instances[this.ctx.random.int(instances.length)]!;
    service.busy.set(key, { delivery, endpoint });
    this.delivered += 1;
    // The handler's work belongs to the instance that consumed the command.
    this.ctx.scheduler.current = endpoint.owner;
    this.ctx.scheduler.note(
      () => `${endpoint.owner.name}#${endpoint.owner.epoch} handles ${delivery.envelope.type} ${delivery.envelope.commandId}`,
    );
    void this.handle(service, endpoint, delivery).then((result) => {
      if (service.busy.get(key)?.delivery !== delivery) return; // taken back when its instance died
      service.busy.delete(key);
      this.reply(delivery, result);
      if (
        this.ctx.fault('duplicate', this.ctx.profile.duplicateCommandChance, () => `command ${delivery.envelope.commandId} delivered again`)
      )
        this.enqueue(service, { ...delivery, readyAt: this.ctx.scheduler.now + this.ctx.latency(() => 'redelivery delayed') }, true);
      else this.kick(service, key);
    });
  }

  /** The transport's part of handling: checks, then the handler with bounded retries. */
  private async handle(service: Service, endpoint: Endpoint, delivery: Delivery): Promise<CommandResult> {
    const { envelope } = delivery;
    const contract = service.options.contracts?.get(envelope.type);
    if (service.options.contracts) {
      if (!contract) return rejected(envelope, TRANSPORT_ERROR.UNKNOWN_COMMAND, `no handler for ${envelope.type} in this service`);
      const refusal = senderRefusal(contract, delivery.sender, envelope.actor);
      if (refusal) return rejected(envelope, TRANSPORT_ERROR.FORBIDDEN, refusal);
      const problems = this.validate(contract, envelope.payload);
      if (problems) return rejected(envelope, TRANSPORT_ERROR.INVALID_COMMAND, `payload does not match ${envelope.type}: ${problems}`);
    }
    for (let attempt = 1; attempt <= MAX_HANDLER_ATTEMPTS; attempt++) {
      try {
        return await endpoint.handle(envelope);
      } catch (error) {
        this.handlerFailed(`${endpoint.owner.name} handling ${envelope.type} ${envelope.commandId} (attempt ${attempt})`, error);
        if (attempt < MAX_HANDLER_ATTEMPTS)
          await new Promise<void>((resolve) =>
            this.ctx.scheduler.after(Math.min(50 * 2 ** attempt, 2_000), 'handler backoff', resolve, {
              owner: endpoint.owner,
              early: true,
            }),
          );
      }
    }
    return rejected(envelope, TRANSPORT_ERROR.PROCESSING_FAILED, 'the command could not be processed; it was set aside for operators');
  }

  private reply(delivery: Delivery, result: CommandResult): void {
    const target = delivery.replyTo;
    if (!target) return;
    const decoded = decodeResult({ value: JSON.stringify(result) } as unknown as KafkaMessage);
    if (!decoded) throw new Error(`a handler answered a malformed result for ${delivery.envelope.type}: ${JSON.stringify(result)}`);
    const id = delivery.envelope.commandId;
    if (this.ctx.fault('drop', this.ctx.profile.dropReplyChance, () => `result of ${id} lost`)) return;
    const copies = this.ctx.fault('duplicate', this.ctx.profile.duplicateReplyChance, () => `result of ${id} sent twice`) ? 2 : 1;
    for (let i = 0; i < copies; i++)
      this.ctx.scheduler.after(
        this.ctx.latency(() => `result of ${id} delayed`),
        'result',
        () => target.receive(decoded),
        {
          owner: target.owner,
          detail: () => `${id} ${decoded.status}${decoded.status === 'rejected' ? ` ${decoded.code}` : ''}`,
        },
      );
  }

  private validate(contract: CommandContract, payload: unknown): string | undefined {
    let check = VALIDATORS.get(contract.type);
    if (!check) {
      check = TypeCompiler.Compile(contract.payload);
      VALIDATORS.set(contract.type, check);
    }
    if (check.Check(payload)) return undefined;
    return [...check.Errors(payload)]
      .slice(0, 5)
      .map((e) => `${e.path || '/'} ${e.message}`)
      .join('; ');
  }
}

/** `wallet.ReserveFunds.v1` → `wallet`. */
function contextOf(type: string): string {
  return type.slice(0, type.indexOf('.'));
}

/**
 * `KafkaCommandClient.send` over the simulated bus: one pending result per command id, a TIMEOUT
 * result when none arrives in time (the command may still complete), a late or duplicate result
 * dropped. A producer failure throws, as the real client's does once the result is already awaited
 * (so a resend with the same id within the timeout is refused, as there).
 */
export class SimCommandClient implements ReplyTarget {
  private readonly pending = new Map<string, { resolve(result: CommandResult): void; timeout: SimEvent }>();
  private counter = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly bus: Bus,
    readonly owner: Owner,
    private readonly sender: Sender,
    private readonly defaultTimeoutMs = 10_000,
    /** False for a client outside the system under test (the users'), whose producer never fails. */
    private readonly faulty = true,
  ) {}

  async send<C extends CommandContract>(contract: C, payload: PayloadOf<C>, options: SendOptions): Promise<CommandResult> {
    if (this.pending.size >= 10_000) throw new Error('more than 10000 commands awaiting results');
    const commandId = options.commandId ?? `${this.owner.name}-${this.owner.epoch}-${this.counter++}`;
    if (this.pending.has(commandId)) throw new Error(`command ${commandId} is already awaiting its result`);
    const correlationId = options.correlationId ?? commandId;
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const result = new Promise<CommandResult>((resolve) => {
      const timeout = this.ctx.scheduler.after(
        timeoutMs,
        'command timeout',
        () => {
          this.pending.delete(commandId);
          resolve({ status: 'rejected', commandId, code: TRANSPORT_ERROR.TIMEOUT, message: `no result within ${timeoutMs} ms` });
        },
        { owner: this.owner, early: true, detail: () => commandId },
      );
      this.pending.set(commandId, { resolve, timeout });
    });
    if (
      this.faulty &&
      this.ctx.fault('producer', this.ctx.profile.producerErrorChance, () => `producing ${contract.type} ${commandId} failed`)
    )
      throw new Error(`KafkaJSConnectionError: could not produce ${contract.type}`);
    this.bus.produce(
      {
        commandId,
        type: contract.type,
        key: options.key,
        correlationId,
        causationId: options.causationId ?? correlationId,
        replyTo: `replies.${this.owner.name}.${this.owner.epoch}`,
        actor: options.actor,
        occurredAt: this.ctx.scheduler.clock.now().toISOString(),
        payload,
      },
      options.sender ?? this.sender,
      this,
    );
    return result;
  }

  receive(result: CommandResult): void {
    const waiting = this.pending.get(result.commandId);
    if (!waiting) return;
    this.pending.delete(result.commandId);
    this.ctx.scheduler.cancel(waiting.timeout);
    waiting.resolve(result);
  }
}

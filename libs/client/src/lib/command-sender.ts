import type { AcceptedOf, CommandResult, PayloadOf, Sender } from '@ledger/contracts';
import { KafkaCommandClient, type KafkaCommandClientOptions, type SendOptions } from '@ledger/messaging/client';
import { assertAcceptedData, type CommandResultOf } from './accepted-data';
import type { LedgerCommand } from './catalogue';

/** The client's options; an internal system writes as the `internal` sender unless its operators gave it another. */
export type LedgerCommandsOptions = Omit<KafkaCommandClientOptions, 'sender'> & {
  sender?: Sender;
  /**
   * Checks the data of every accepted result against its command's `accepted` schema, and rejects
   * with `AcceptedDataMismatchError` when it does not match (off by default: the types already say
   * what the contract promises, and the end-to-end tests check the services keep that promise).
   */
  validateResults?: boolean;
};

/** A command answered `rejected`: the service's stable `code` and its `details`. */
export class CommandRejectedError extends Error {
  constructor(
    readonly commandType: string,
    readonly code: string,
    readonly details: Readonly<Record<string, unknown>> | undefined,
    message: string,
  ) {
    super(`${commandType} rejected ${code}: ${message}`);
    this.name = 'CommandRejectedError';
  }
}

/**
 * Sends any command of any context over Kafka and awaits its single result. The payload is typed
 * by the command's contract; the result is the contract's `CommandResult` (accepted with `data`, or
 * rejected with a stable `code`), its `data` typed by the command's `accepted` schema where the
 * contract gives one. A result that does not arrive within the timeout is a rejected `TIMEOUT`: the
 * command may still complete, so resend it with the same `commandId` to learn how.
 */
export class LedgerCommands {
  private readonly client: KafkaCommandClient;
  private readonly validateResults: boolean;

  constructor(options: LedgerCommandsOptions) {
    const { validateResults = false, sender = 'internal', ...clientOptions } = options;
    this.client = new KafkaCommandClient({ ...clientOptions, sender });
    this.validateResults = validateResults;
  }

  /** The topic this instance reads its results from (one per instance). */
  get replyTopic(): string {
    return this.client.replyTopic;
  }

  start(): Promise<void> {
    return this.client.start();
  }

  async send<C extends LedgerCommand>(command: C, payload: PayloadOf<C>, options: SendOptions): Promise<CommandResultOf<C>> {
    // The wire carries JSON, so the data is only as the contract says when the service keeps the
    // contract: `validateResults` checks that it does; otherwise the type is the contract's promise.
    return (await this.answer(command, payload, options)) as CommandResultOf<C>;
  }

  /** Like `send`, but resolves with the accepted data and throws `CommandRejectedError` otherwise. */
  async request<C extends LedgerCommand>(command: C, payload: PayloadOf<C>, options: SendOptions): Promise<AcceptedOf<C>> {
    const result = await this.answer(command, payload, options);
    if (result.status === 'rejected') throw new CommandRejectedError(command.type, result.code, result.details, result.message);
    return (result.data ?? {}) as AcceptedOf<C>;
  }

  /** The command's result, its accepted data checked against the contract when this client validates results. */
  private async answer<C extends LedgerCommand>(command: C, payload: PayloadOf<C>, options: SendOptions): Promise<CommandResult> {
    const result = await this.client.send(command, payload, options);
    if (this.validateResults && result.status === 'accepted') assertAcceptedData(command, result);
    return result;
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}

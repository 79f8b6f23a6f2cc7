import type { CommandResult, PayloadOf, Sender } from '@ledger/contracts';
import { KafkaCommandClient, type KafkaCommandClientOptions, type SendOptions } from '@ledger/messaging';
import type { LedgerCommand } from './catalogue';

/** The client's options; an internal system writes as the `internal` sender unless its operators gave it another. */
export type LedgerCommandsOptions = Omit<KafkaCommandClientOptions, 'sender'> & { sender?: Sender };

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
 * rejected with a stable `code`). A result that does not arrive within the timeout is a rejected
 * `TIMEOUT`: the command may still complete, so resend it with the same `commandId` to learn how.
 */
export class LedgerCommands {
  private readonly client: KafkaCommandClient;

  constructor(options: LedgerCommandsOptions) {
    this.client = new KafkaCommandClient({ ...options, sender: options.sender ?? 'internal' });
  }

  /** The topic this instance reads its results from (one per instance). */
  get replyTopic(): string {
    return this.client.replyTopic;
  }

  start(): Promise<void> {
    return this.client.start();
  }

  send<C extends LedgerCommand>(command: C, payload: PayloadOf<C>, options: SendOptions): Promise<CommandResult> {
    return this.client.send(command, payload, options);
  }

  /** Like `send`, but resolves with the accepted data and throws `CommandRejectedError` otherwise. */
  async request<C extends LedgerCommand>(command: C, payload: PayloadOf<C>, options: SendOptions): Promise<Record<string, unknown>> {
    const result = await this.send(command, payload, options);
    if (result.status === 'rejected') throw new CommandRejectedError(command.type, result.code, result.details, result.message);
    return result.data ?? {};
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}

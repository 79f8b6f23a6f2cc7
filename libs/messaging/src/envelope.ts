import { randomUUID } from 'node:crypto';
import { COMMAND_RESULT_TYPE, CommandResult, HEADER, JSON_CONTENT_TYPE } from '@ledger/contracts';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/** A command as a handler sees it: the metadata of docs/design.md §2 plus the validated payload. */
export interface CommandEnvelope<Payload = unknown> {
  commandId: string;
  type: string;
  /** The Kafka message key: the id of the aggregate the command targets. */
  key: string;
  correlationId: string;
  causationId: string;
  replyTo: string | undefined;
  actor: string;
  occurredAt: string;
  payload: Payload;
}

/** A message that cannot be read as a command; it goes to dead letters with `reason`. */
export class MalformedMessage extends Error {
  constructor(
    readonly reason: string,
    readonly replyTo?: string,
    readonly correlationId?: string,
    readonly commandId?: string,
  ) {
    super(reason);
    this.name = 'MalformedMessage';
  }
}

export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined || value === null) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

export function encodeCommand(envelope: CommandEnvelope): Message {
  const headers: IHeaders = {
    [HEADER.messageId]: envelope.commandId,
    [HEADER.messageType]: envelope.type,
    [HEADER.correlationId]: envelope.correlationId,
    [HEADER.causationId]: envelope.causationId,
    [HEADER.actor]: envelope.actor,
    [HEADER.occurredAt]: envelope.occurredAt,
    [HEADER.schemaVersion]: '1',
    [HEADER.contentType]: JSON_CONTENT_TYPE,
  };
  if (envelope.replyTo) headers[HEADER.replyTo] = envelope.replyTo;
  return { key: envelope.key, value: JSON.stringify(envelope.payload), headers };
}

const REQUIRED_HEADERS = [HEADER.messageId, HEADER.messageType, HEADER.correlationId, HEADER.actor] as const;

/** Reads a Kafka message as a command, or throws `MalformedMessage` saying what is wrong with it. */
export function decodeCommand(message: KafkaMessage): CommandEnvelope {
  const h = message.headers;
  const replyTo = headerValue(h, HEADER.replyTo);
  const correlationId = headerValue(h, HEADER.correlationId);
  const commandId = headerValue(h, HEADER.messageId);
  const missing = REQUIRED_HEADERS.filter((name) => !headerValue(h, name));
  if (missing.length > 0) throw new MalformedMessage(`missing header(s): ${missing.join(', ')}`, replyTo, correlationId, commandId);
  if (!message.key || message.key.length === 0)
    throw new MalformedMessage('missing message key (the aggregate id)', replyTo, correlationId, commandId);
  if (!message.value) throw new MalformedMessage('empty message value', replyTo, correlationId, commandId);
  let payload: unknown;
  try {
    payload = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    throw new MalformedMessage(`value is not JSON: ${(error as Error).message}`, replyTo, correlationId, commandId);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new MalformedMessage('value must be a JSON object', replyTo, correlationId, commandId);
  }
  return {
    commandId: commandId!,
    type: headerValue(h, HEADER.messageType)!,
    key: message.key.toString('utf8'),
    correlationId: correlationId!,
    causationId: headerValue(h, HEADER.causationId) ?? commandId!,
    replyTo,
    actor: headerValue(h, HEADER.actor)!,
    occurredAt: headerValue(h, HEADER.occurredAt) ?? new Date(Number(message.timestamp)).toISOString(),
    payload,
  };
}

export function encodeResult(result: CommandResult, correlationId: string): Message {
  return {
    key: correlationId,
    value: JSON.stringify(result),
    headers: {
      [HEADER.messageId]: randomUUID(),
      [HEADER.messageType]: COMMAND_RESULT_TYPE,
      [HEADER.correlationId]: correlationId,
      [HEADER.causationId]: result.commandId,
      [HEADER.contentType]: JSON_CONTENT_TYPE,
    },
  };
}

const resultSchema = TypeCompiler.Compile(CommandResult);

/** Reads a result message; returns undefined for anything that is not a well-formed result. */
export function decodeResult(message: KafkaMessage): CommandResult | undefined {
  if (!message.value) return undefined;
  try {
    const parsed: unknown = JSON.parse(message.value.toString('utf8'));
    return resultSchema.Check(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

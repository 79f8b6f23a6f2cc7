/**
 * The Kafka headers of the AsyncAPI document (`build-asyncapi.ts`) as JSON Schemas: one schema per
 * header name, the sets commands, events, results and dead letters carry, and a message's headers.
 */
import { HEADER, JSON_CONTENT_TYPE } from '../headers';
import type { JsonSchema } from './build-asyncapi';

const nonEmpty = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });
const INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$';
const instant = (description: string): JsonSchema => ({ type: 'string', pattern: INSTANT_PATTERN, description });
const decimal = (description: string): JsonSchema => ({ type: 'string', pattern: '^(0|[1-9][0-9]*)$', description });

/** Header schemas by header name; every Kafka header value is a UTF-8 string. */
const HEADER_SCHEMAS: Record<string, JsonSchema> = {
  [HEADER.messageId]: nonEmpty('Unique id of this message (the command id, the event id). Consumers dedupe by it.'),
  [HEADER.messageType]: {
    type: 'string',
    pattern: '^[a-zA-Z]+(\\.[A-Za-z]+)*\\.v[0-9]+$',
    description: 'Versioned type name, e.g. `identity.RegisterUser.v1`.',
  },
  [HEADER.correlationId]: nonEmpty('The id shared by everything one request caused; a result carries its command’s.'),
  [HEADER.causationId]: nonEmpty('The id of the message that directly caused this one (a result: its command id).'),
  [HEADER.actor]: {
    type: 'string',
    pattern: '^[a-z]+(:.+)?$',
    description:
      'On whose behalf: `user:<id>`, `support:<id>`, `teller:<id>`, `provider:<name>`, `system:<name>`, `risk:<rule>`, `anonymous`. ' +
      'The sender the topic proves must be listed for the command with this kind of actor (see its `Senders:`), else `FORBIDDEN`.',
  },
  [HEADER.occurredAt]: instant('ISO-8601 instant the message was created by its sender.'),
  [HEADER.schemaVersion]: decimal('Version of the payload schema (the `.vN` of the type).'),
  [HEADER.contentType]: { type: 'string', const: JSON_CONTENT_TYPE, description: 'Always `application/json`.' },
  [HEADER.replyTo]: nonEmpty(
    'Topic the single result of the command is sent to: the client instance’s `replies.<client>.<instance>` (with the topic prefix).',
  ),
  [HEADER.traceparent]: {
    type: 'string',
    pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
    description:
      'W3C trace context (`<version>-<trace id>-<span id>-<flags>`) of the span that sent the command, when the sender traces; the service handles the command in a span of the same trace.',
  },
  [HEADER.tracestate]: { type: 'string', maxLength: 512, description: 'W3C trace state that goes with `traceparent`, when one was set.' },
  [HEADER.stream]: nonEmpty('Events: the event-store stream the event belongs to (also the message key).'),
  [HEADER.streamRevision]: decimal('Events: the 0-based revision of the event in its stream.'),
  [HEADER.position]: decimal('Events: the global position of the event in the store (per context).'),
  [HEADER.recordedAt]: instant('Events: when the store recorded the event.'),
  [HEADER.deadLetterReason]: nonEmpty(
    'Dead letters: why the message was set aside (missing header, not JSON, schema violations, unknown type, handler failures).',
  ),
  [HEADER.deadLetterSourceTopic]: nonEmpty('Dead letters: the topic the message was read from.'),
  [HEADER.deadLetterSourcePartition]: decimal('Dead letters: its partition.'),
  [HEADER.deadLetterSourceOffset]: decimal('Dead letters: its offset.'),
};

export function headersSchema(names: { required: readonly string[]; optional?: readonly string[] }, description: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const name of [...names.required, ...(names.optional ?? [])]) properties[name] = { ...HEADER_SCHEMAS[name] };
  // Headers a consumer does not know are allowed (tracing, broker tooling); the ones listed must match.
  return { type: 'object', description, required: [...names.required], properties, additionalProperties: { type: 'string' } };
}

/** A message's headers: the shared set (in `components.schemas`) with its own `message-type`. */
export function headersOf(
  shared: 'CommandHeaders' | 'EventHeaders' | 'ResultHeaders' | 'AlertHeaders',
  messageType: JsonSchema,
): JsonSchema {
  return {
    allOf: [
      { $ref: `#/components/schemas/${shared}` },
      { type: 'object', required: [HEADER.messageType], properties: { [HEADER.messageType]: messageType } },
    ],
  };
}

export const COMMAND_HEADERS = {
  required: [
    HEADER.messageId,
    HEADER.messageType,
    HEADER.correlationId,
    HEADER.causationId,
    HEADER.actor,
    HEADER.occurredAt,
    HEADER.schemaVersion,
    HEADER.contentType,
  ],
  optional: [HEADER.replyTo, HEADER.traceparent, HEADER.tracestate],
} as const;
export const EVENT_HEADERS = {
  required: [
    HEADER.messageId,
    HEADER.messageType,
    HEADER.correlationId,
    HEADER.causationId,
    HEADER.actor,
    HEADER.occurredAt,
    HEADER.schemaVersion,
    HEADER.contentType,
    HEADER.stream,
    HEADER.streamRevision,
    HEADER.position,
    HEADER.recordedAt,
  ],
} as const;
export const RESULT_HEADERS = {
  required: [HEADER.messageId, HEADER.messageType, HEADER.correlationId, HEADER.causationId, HEADER.contentType],
} as const;
export const ALERT_HEADERS = {
  required: [HEADER.messageId, HEADER.messageType, HEADER.occurredAt, HEADER.schemaVersion, HEADER.contentType],
} as const;
export const DEAD_LETTER_HEADERS = {
  required: [HEADER.deadLetterReason, HEADER.deadLetterSourceTopic, HEADER.deadLetterSourcePartition, HEADER.deadLetterSourceOffset],
  optional: [...COMMAND_HEADERS.required, ...COMMAND_HEADERS.optional],
} as const;

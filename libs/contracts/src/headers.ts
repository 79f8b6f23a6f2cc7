/**
 * Kafka header names carried by every command, result and event. Values are UTF-8 strings.
 * They are the event-sourcing metadata of docs/design.md §2 plus the routing a reply needs.
 */
export const HEADER = {
  /** Unique id of this message (the command id, the event id). Consumers dedupe by it. */
  messageId: 'message-id',
  /** Versioned type name, e.g. `identity.RegisterUser.v1`. */
  messageType: 'message-type',
  /** The id shared by everything one request caused; a result carries its command's. */
  correlationId: 'correlation-id',
  /** The id of the message that directly caused this one. */
  causationId: 'causation-id',
  /** Topic the single result of a command is sent to. */
  replyTo: 'reply-to',
  /** Who asked: `user:<id>`, `support:<id>`, `system:<service>`, `risk:<rule>`. */
  actor: 'actor',
  /** ISO-8601 instant the message was created by its sender. */
  occurredAt: 'occurred-at',
  schemaVersion: 'schema-version',
  /** Events only: where the event sits in the event store. */
  stream: 'stream',
  streamRevision: 'stream-revision',
  position: 'position',
  recordedAt: 'recorded-at',
  contentType: 'content-type',
  /** Commands, when tracing is on: the W3C trace context of the span that sent it, which the handling continues. */
  traceparent: 'traceparent',
  /** The vendors' W3C trace state that goes with `traceparent`, when a tracing system set one. */
  tracestate: 'tracestate',
  /** Dead letters: why the message was refused, and where it came from. */
  deadLetterReason: 'dead-letter-reason',
  deadLetterSourceTopic: 'dead-letter-source-topic',
  deadLetterSourcePartition: 'dead-letter-source-partition',
  deadLetterSourceOffset: 'dead-letter-source-offset',
} as const;

export const JSON_CONTENT_TYPE = 'application/json';

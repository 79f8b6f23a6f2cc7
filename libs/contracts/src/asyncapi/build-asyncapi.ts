/**
 * Builds the AsyncAPI 3.0.0 document of the ledger's Kafka interface (`docs/asyncapi.yaml`) from the
 * contract objects themselves: the command contracts (`defineCommand`), the published event schemas,
 * the `HEADER` names, the `topics` naming, the senders each command lists and the `CommandResult`
 * schema. Nothing is written by hand
 * twice, so the document cannot drift from what the services validate; a test regenerates it and
 * fails when the committed file differs.
 */
import type { TSchema } from '@sinclair/typebox';
import { stringify } from 'yaml';
import { AcceptedResult, COMMAND_RESULT_TYPE, RejectedResult, TRANSPORT_ERROR } from '../command-result';
import { SENDERS, type CommandContract, type Sender } from '../command';
import { HEADER, JSON_CONTENT_TYPE } from '../headers';
import { pingCommand } from '../system';
import { topics } from '../topics';
import * as cards from '../cards';
import * as identity from '../identity';
import * as payments from '../payments';
import * as projector from '../projector';
import * as wallet from '../wallet';
import { COMMAND_EXAMPLES, DEAD_LETTER_EXAMPLE, EVENT_EXAMPLES, RESULT_EXAMPLES } from './asyncapi-examples';

/** A JSON Schema as plain data (TypeBox's symbol keys and `$id`s removed). */
export type JsonSchema = Record<string, unknown>;

/** One bounded context's share of the Kafka interface. */
export interface ContextContract {
  context: string;
  summary: string;
  /** What the message key of a command is, in words (the schema says it is a non-empty string). */
  commandKey: string;
  commands: readonly CommandContract[];
  /** Published events with a stable data schema, by versioned type. */
  events?: Readonly<Record<string, TSchema>>;
  /** Event types published without a stable schema (process steps): documented, data opaque. */
  otherEvents?: readonly string[];
  eventKey?: string;
}

/** Every context whose topics the document covers, in the order it lists them. */
export const CONTEXTS: readonly ContextContract[] = [
  {
    context: identity.CONTEXT,
    summary: 'Registration, login, passwords, second factor, freezes and risk alerts.',
    commandKey: 'a keyed hash of the phone number, never the number (before a user id exists, and for login/reset), or the userId',
    commands: [...identity.COMMANDS, pingCommand(identity.CONTEXT)],
    events: identity.PUBLISHED_EVENTS,
    eventKey: 'the stream id `user-<userId>`',
  },
  {
    context: cards.CONTEXT,
    summary: 'Binding ICBC bank cards, the default card, card checks with the issuer.',
    commandKey: 'the userId (CheckCard: the userId, or the cardId when it is not known)',
    commands: [...cards.COMMANDS, pingCommand(cards.CONTEXT)],
    events: cards.PUBLISHED_EVENTS,
    eventKey: 'the stream id `cards-<userId>`',
  },
  {
    context: wallet.CONTEXT,
    summary: 'The wallet aggregate: opening, holds (reserve → capture / release / expire), credits, freezes, tiers.',
    commandKey: 'the walletId (OpenWallet and GetWalletByUser: the userId), so one wallet’s commands stay in order',
    commands: [...wallet.COMMANDS, pingCommand(wallet.CONTEXT)],
    events: wallet.eventData,
    eventKey: 'the stream id `wallet-<walletId>`',
  },
  {
    context: payments.CONTEXT,
    summary: 'Merchant payments, top-ups (card, provider, counter), transfers, withdrawals, bills, refunds.',
    commandKey: 'the paymentId (ListUserPayments: the userId)',
    commands: [...payments.COMMANDS, pingCommand(payments.CONTEXT)],
    events: payments.eventData,
    otherEvents: [...payments.PUBLISHED_EVENTS].filter((type) => !(type in payments.eventData)),
    eventKey: 'the stream id `payment-<paymentId>`',
  },
  {
    context: 'gateway',
    summary: 'The HTTP gateway consumes only its health probe.',
    commandKey: 'any non-empty string',
    commands: [pingCommand('gateway')],
  },
  {
    context: projector.CONTEXT,
    summary: 'The projector (the analysts’ read models and dashboard) answers its health probe and the queries over its read models.',
    commandKey: 'any non-empty string (ListStaffActions: the agentId)',
    commands: [...projector.COMMANDS, pingCommand(projector.CONTEXT)],
  },
];

/** The address of every reply topic: one per command client instance (`topics.replies`). */
export const REPLY_TOPIC_ADDRESS = 'replies.{client}.{instance}';

/** Who each sender is, in the words of the channels that carry its commands (see `SENDERS`). */
const SENDER_ROLE: Record<Sender, string> = {
  gateway: 'the HTTP gateway, the only sender of users’, staff’s and payment providers’ actors (each from a verified token or signature) and of anonymous callers (registration, login)',
  payments: 'the payments service, while it carries out a payment',
  cards: 'the cards service, while it carries out a card command',
  operator: 'the operators’ tools (readiness pings, maintenance mode)',
  internal: 'the bank’s other internal systems (risk engines, merchant systems), e.g. through `@ledger/client`',
};

/** The senders a command lists, in `SENDERS` order: the ones whose command topics may carry it. */
export function sendersOf(contract: CommandContract): Sender[] {
  return SENDERS.filter((sender) => contract.senders[sender] !== undefined);
}

/**
 * Who may send a command, as the services check it: `Senders: gateway (user, support), internal (system).`
 * It goes into the command's description because the actor kinds are a rule on a header's value per
 * topic, which neither a channel nor a JSON Schema of the headers can express.
 */
export function sendersLine(contract: CommandContract): string {
  const listed = sendersOf(contract).map((sender) => `${sender} (${contract.senders[sender]!.join(', ')})`);
  return listed.length === 0 ? 'Senders: none (every sender is refused).' : `Senders: ${listed.join(', ')}.`;
}

/** Deep copy as plain JSON: drops TypeBox's symbol keys and the `$id`s (ajv refuses duplicates). */
export function toJsonSchema(schema: TSchema | JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema), (key, value: unknown) => (key === '$id' ? undefined : value)) as JsonSchema;
}

const nonEmpty = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });
const INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$';
const instant = (description: string): JsonSchema => ({ type: 'string', pattern: INSTANT_PATTERN, description });
const decimal = (description: string): JsonSchema => ({ type: 'string', pattern: '^(0|[1-9][0-9]*)$', description });

/** Header schemas by header name; every Kafka header value is a UTF-8 string. */
const HEADER_SCHEMAS: Record<string, JsonSchema> = {
  [HEADER.messageId]: nonEmpty('Unique id of this message (the command id, the event id). Consumers dedupe by it.'),
  [HEADER.messageType]: { type: 'string', pattern: '^[a-zA-Z]+(\\.[A-Za-z]+)*\\.v[0-9]+$', description: 'Versioned type name, e.g. `identity.RegisterUser.v1`.' },
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
  [HEADER.replyTo]: nonEmpty('Topic the single result of the command is sent to: the client instance’s `replies.<client>.<instance>` (with the topic prefix).'),
  [HEADER.stream]: nonEmpty('Events: the event-store stream the event belongs to (also the message key).'),
  [HEADER.streamRevision]: decimal('Events: the 0-based revision of the event in its stream.'),
  [HEADER.position]: decimal('Events: the global position of the event in the store (per context).'),
  [HEADER.recordedAt]: instant('Events: when the store recorded the event.'),
  [HEADER.deadLetterReason]: nonEmpty('Dead letters: why the message was set aside (missing header, not JSON, schema violations, unknown type, handler failures).'),
  [HEADER.deadLetterSourceTopic]: nonEmpty('Dead letters: the topic the message was read from.'),
  [HEADER.deadLetterSourcePartition]: decimal('Dead letters: its partition.'),
  [HEADER.deadLetterSourceOffset]: decimal('Dead letters: its offset.'),
};

function headersSchema(names: { required: readonly string[]; optional?: readonly string[] }, description: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const name of [...names.required, ...(names.optional ?? [])]) properties[name] = { ...HEADER_SCHEMAS[name] };
  // Headers a consumer does not know are allowed (tracing, broker tooling); the ones listed must match.
  return { type: 'object', description, required: [...names.required], properties, additionalProperties: { type: 'string' } };
}

/** A message's headers: the shared set (in `components.schemas`) with its own `message-type`. */
function headersOf(shared: 'CommandHeaders' | 'EventHeaders' | 'ResultHeaders', messageType: JsonSchema): JsonSchema {
  return { allOf: [{ $ref: `#/components/schemas/${shared}` }, { type: 'object', required: [HEADER.messageType], properties: { [HEADER.messageType]: messageType } }] };
}

const COMMAND_HEADERS = {
  required: [HEADER.messageId, HEADER.messageType, HEADER.correlationId, HEADER.causationId, HEADER.actor, HEADER.occurredAt, HEADER.schemaVersion, HEADER.contentType],
  optional: [HEADER.replyTo],
} as const;
const EVENT_HEADERS = {
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
const RESULT_HEADERS = { required: [HEADER.messageId, HEADER.messageType, HEADER.correlationId, HEADER.causationId, HEADER.contentType] } as const;
const DEAD_LETTER_HEADERS = {
  required: [HEADER.deadLetterReason, HEADER.deadLetterSourceTopic, HEADER.deadLetterSourcePartition, HEADER.deadLetterSourceOffset],
  optional: [...COMMAND_HEADERS.required, ...COMMAND_HEADERS.optional],
} as const;

/** The Kafka binding of a message: what its key is. `nullable` keys may be absent (dead letters). */
function keyBinding(description: string, nullable = false): JsonSchema {
  const key: JsonSchema = nullable ? { type: ['string', 'null'], description } : { type: 'string', minLength: 1, description };
  return { kafka: { key, bindingVersion: '0.5.0' } };
}

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
/** The channel of one sender's command topic in a context, e.g. `walletCommandsFromPayments`. */
export const commandsChannelId = (context: string, sender: Sender) => `${context}CommandsFrom${capitalized(sender)}`;
/** Its dead letters, e.g. `walletCommandsFromPaymentsDeadLetters`. */
export const deadLettersChannelId = (context: string, sender: Sender) => `${commandsChannelId(context, sender)}DeadLetters`;
const eventsChannelId = (context: string) => `${context}Events`;
const componentId = (type: string) => type;

interface Built {
  channels: Record<string, JsonSchema>;
  operations: Record<string, JsonSchema>;
  messages: Record<string, JsonSchema>;
}

function commandMessage(contract: CommandContract, commandKey: string): JsonSchema {
  const shortName = contract.type.slice(contract.context.length + 1);
  const message: JsonSchema = {
    name: contract.type,
    title: shortName,
    summary: contract.description.split('. ')[0]!.replace(/\.$/, '') + '.',
    description: `${contract.description} ${sendersLine(contract)}`,
    // The codes it may be rejected with, as data (its contract's `rejects`; the transport's apply to every command).
    'x-rejects': [...contract.rejects],
    contentType: JSON_CONTENT_TYPE,
    headers: headersOf('CommandHeaders', { const: contract.type }),
    payload: toJsonSchema(contract.payload),
    correlationId: { $ref: '#/components/correlationIds/correlationId' },
    bindings: keyBinding(`The aggregate id: ${commandKey}.`),
  };
  const example = COMMAND_EXAMPLES[contract.type];
  if (example) message['examples'] = [example];
  return message;
}

function eventMessage(context: string, type: string, schema: JsonSchema | undefined, eventKey: string): JsonSchema {
  const message: JsonSchema = {
    name: type,
    title: type.slice(context.length + 1),
    summary: schema ? `Published event ${type}.` : `Process step ${type}: published, but its data has no stable schema; do not depend on its fields.`,
    contentType: JSON_CONTENT_TYPE,
    headers: headersOf('EventHeaders', { const: type }),
    payload: schema ?? { type: 'object', description: 'Opaque event data (an internal step of the process).' },
    correlationId: { $ref: '#/components/correlationIds/correlationId' },
    bindings: keyBinding(`The event-store stream id: ${eventKey}.`),
  };
  const example = EVENT_EXAMPLES[type];
  if (example) message['examples'] = [example];
  return message;
}

function otherEventMessage(context: string, eventKey: string): JsonSchema {
  return {
    name: `${context}.OtherEvent`,
    title: 'Any other event',
    summary: `Any other event of the ${context} event store, which the relay publishes as well; consumers ignore types they do not know.`,
    contentType: JSON_CONTENT_TYPE,
    headers: headersOf('EventHeaders', { pattern: `^${context}\\.[A-Za-z]+\\.v[0-9]+$` }),
    payload: { type: 'object', description: 'Event data; not part of the contract.' },
    correlationId: { $ref: '#/components/correlationIds/correlationId' },
    bindings: keyBinding(`The event-store stream id: ${eventKey}.`),
  };
}

function addContext(built: Built, ctx: ContextContract): void {
  // One message component per command type, shared by the channels of all the senders it lists.
  for (const contract of ctx.commands) built.messages[componentId(contract.type)] = commandMessage(contract, ctx.commandKey);
  // One topic per sender that some command of the context lists, carrying exactly the commands that
  // list it: a topic no command lists a sender for has no reader, and the broker grants no writer.
  for (const sender of SENDERS) {
    const sent = ctx.commands.filter((contract) => contract.senders[sender] !== undefined);
    if (sent.length > 0) addCommandChannel(built, ctx, sender, sent);
  }
  addEvents(built, ctx);
}

function addCommandChannel(built: Built, ctx: ContextContract, sender: Sender, sent: readonly CommandContract[]): void {
  const { context } = ctx;
  const commandsTopic = topics.commandsFrom(context, sender);
  const commandRefs: Record<string, JsonSchema> = {};
  for (const contract of sent) commandRefs[contract.type] = { $ref: `#/components/messages/${componentId(contract.type)}` };
  const commandsId = commandsChannelId(context, sender);
  built.channels[commandsId] = {
    address: commandsTopic,
    title: `${context} commands from ${sender}`,
    summary: `Commands to the ${context} service from ${SENDER_ROLE[sender]}.`,
    description:
      `Only the \`${sender}\` sender’s broker principals may write this topic (ACLs), so a command read here was sent by ${sender}; its \`actor\` header says on whose behalf. ` +
      `One message per command type whose contract lists ${sender}, told apart by the \`message-type\` header. ` +
      `A command of ${context} that does not list ${sender}, or that does not let ${sender} assert the kind of its actor, is answered \`FORBIDDEN\` before any handler runs and nothing is done. ` +
      `Each command gets exactly one \`CommandResult\` on the topic named in its \`reply-to\` header. Key: ${ctx.commandKey}.`,
    messages: commandRefs,
    bindings: { kafka: { topic: commandsTopic, bindingVersion: '0.5.0' } },
  };
  built.operations[`${context}.receiveCommandFrom${capitalized(sender)}`] = {
    action: 'receive',
    channel: { $ref: `#/channels/${commandsId}` },
    title: `The ${context} service handles a command from ${sender}`,
    summary:
      'Refused with `FORBIDDEN` unless its contract lists this sender with the kind of its actor; then validated against the payload schema of its `message-type`; ' +
      'answered on `reply-to`; the offset is committed after the answer.',
    messages: Object.keys(commandRefs).map((key) => ({ $ref: `#/channels/${commandsId}/messages/${key}` })),
    reply: { channel: { $ref: '#/channels/commandResults' }, messages: [{ $ref: '#/channels/commandResults/messages/CommandResult' }] },
  };

  const deadLettersTopic = topics.deadLetters(commandsTopic);
  const deadId = deadLettersChannelId(context, sender);
  built.channels[deadId] = {
    address: deadLettersTopic,
    title: `${context} command dead letters from ${sender}`,
    description:
      `Messages of \`${commandsTopic}\` that could not be read or validated, named a type the service does not handle, or whose handler kept failing, byte for byte, with the reason in \`dead-letter-reason\`. ` +
      'Commands refused for their sender or actor (`FORBIDDEN`) are not copied here: there is nothing to repair or replay.',
    messages: { DeadLetter: { $ref: '#/components/messages/DeadLetter' } },
    bindings: { kafka: { topic: deadLettersTopic, bindingVersion: '0.5.0' } },
  };
  built.operations[`${context}.sendDeadLetterFrom${capitalized(sender)}`] = {
    action: 'send',
    channel: { $ref: `#/channels/${deadId}` },
    title: `The ${context} service sets aside a command from ${sender} it cannot handle`,
    messages: [{ $ref: `#/channels/${deadId}/messages/DeadLetter` }],
  };
}

function addEvents(built: Built, ctx: ContextContract): void {
  const { context } = ctx;
  if (!ctx.events) return;
  const eventsTopic = topics.events(context);
  const eventKey = ctx.eventKey ?? 'the stream id';
  const eventRefs: Record<string, JsonSchema> = {};
  for (const [type, schema] of Object.entries(ctx.events)) {
    built.messages[componentId(type)] = eventMessage(context, type, toJsonSchema(schema), eventKey);
    eventRefs[type] = { $ref: `#/components/messages/${componentId(type)}` };
  }
  for (const type of ctx.otherEvents ?? []) {
    built.messages[componentId(type)] = eventMessage(context, type, undefined, eventKey);
    eventRefs[type] = { $ref: `#/components/messages/${componentId(type)}` };
  }
  built.messages[`${context}.OtherEvent`] = otherEventMessage(context, eventKey);
  eventRefs[`${context}.OtherEvent`] = { $ref: `#/components/messages/${context}.OtherEvent` };
  const eventsId = eventsChannelId(context);
  built.channels[eventsId] = {
    address: eventsTopic,
    title: `${context} events`,
    description:
      `The events of the ${context} event store that other contexts may see, published in order by the relay (at least once: dedupe by \`message-id\`). ` +
      `Key: ${eventKey}, so one stream’s events stay in order on one partition. The data is the JSON value; metadata is in headers.`,
    messages: eventRefs,
    bindings: { kafka: { topic: eventsTopic, bindingVersion: '0.5.0' } },
  };
  built.operations[`${context}.publishEvent`] = {
    action: 'send',
    channel: { $ref: `#/channels/${eventsId}` },
    title: `The ${context} relay publishes an event`,
    messages: Object.keys(eventRefs).map((key) => ({ $ref: `#/channels/${eventsId}/messages/${key}` })),
  };
}

// ---------------------------------------------------------------- the document

const DESCRIPTION = `The Kafka interface of the ICBC digital wallet ledger (bank side): every topic the services
consume and produce — commands, their results, published events and dead letters — with message keys,
headers and JSON payload schemas. Generated from \`libs/contracts\` (\`npm run asyncapi\`); a test
fails when this file differs from the code, and an end-to-end test validates every message a
representative flow produces against it.

## How to use it

* **Topic names.** Channel addresses are the names without a prefix. A deployment or a test run may
  put a prefix in front of every topic (\`KafkaCommandClient\`'s \`topicPrefix\`, e.g. \`t-abc123.\`).
* **Senders and command topics.** Each sender writes the commands of a context it calls to a topic
  of its own, \`<context>.commands.from.<sender>\`. The senders are \`gateway\` (the HTTP edge),
  \`payments\` and \`cards\` (services calling another context), \`operator\` (the operators' tools)
  and \`internal\` (the bank's other internal systems). Only that sender's broker principals may
  write its topics (ACLs made from the same contracts), so the topic a command arrives on proves
  who sent it; the \`actor\` header only says on whose behalf. Each command's description ends with the senders it lists and
  the actor kinds each may assert (e.g. \`Senders: payments (system).\`), and the channel of a
  sender's topic has exactly the commands that list it. Deny by default: a command whose contract
  does not list the topic's sender, or not with the kind of its actor, is answered \`FORBIDDEN\`
  before any handler runs and nothing is done (it is not dead-lettered). A service asserting
  \`system:\` names itself (\`payments\` asserts \`system:payments\`); only internal systems, which
  share one sender, name themselves freely.
* **Sending a command.** Produce to your sender's topic \`<context>.commands.from.<sender>\` with key
  = the aggregate id (see each message's \`bindings.kafka.key\`), the JSON payload of the message
  whose \`message-type\` header you set, and the headers of the message's \`headers\` schema. Set
  \`reply-to\` to a topic you read (by convention \`replies.<client>.<instance>\`, one per instance,
  read by a consumer group of its own; every reply topic starts with \`replies.\`). In TypeScript
  use \`KafkaCommandClient\` from \`@ledger/messaging\` (its \`sender\` picks the topics) with the
  contract objects of \`@ledger/contracts\`: it does all of this (see docs/asyncapi.md).
* **The result.** Exactly one \`CommandResult\` per command reaches \`reply-to\` (at least once: a
  second copy for the same \`commandId\` can be ignored), key and \`correlation-id\` = the command's
  correlation id, \`causation-id\` = the command id. \`accepted\` carries \`data\`; \`rejected\` carries
  a stable \`code\` (each command lists its codes in \`x-rejects\`; the transport adds
  ${Object.values(TRANSPORT_ERROR)
    .map((code) => `\`${code}\``)
    .join(', ')}).
  Resend with the same \`message-id\` to retry safely: services dedupe by command id and the money
  commands also by their idempotency key (\`paymentId\`, \`holdId\`, \`creditId\`).
* **Events.** \`<context>.events\` carries every event of the context's event store, key = stream
  id, value = the event data, metadata in headers. Delivery is at least once and in order per
  stream: dedupe by \`message-id\` (the event id) or by \`stream\` + \`stream-revision\`. Event data
  objects may gain fields: ignore what you do not know. Types without a listed schema are internal
  steps; do not depend on them.
* **Dead letters.** A message on a command topic that is not a readable, valid command (missing
  header or key, value not a JSON object, payload not matching the schema), names a type the
  service does not handle, or whose handler kept failing is copied unchanged to
  \`<topic>.dead-letters\`, one per sender's topic (\`<context>.commands.from.<sender>.dead-letters\`),
  with \`dead-letter-*\` headers; when it had a readable \`reply-to\`, the sender also gets
  \`INVALID_COMMAND\`, \`UNKNOWN_COMMAND\` or \`PROCESSING_FAILED\` respectively. A command refused with
  \`FORBIDDEN\` is not copied: there is nothing to repair. The consumer carries on.
* **Secrets.** Passwords, SMS and TOTP codes, ID and card numbers, phone numbers and names travel
  only encrypted, bound to associated data \`<context>:<field>\`: sealed by the gateway for the
  receiving service's X25519 public key (\`seal:v1:<kid>:…\`, which the gateway itself cannot
  open), or between the services with their field keyring (\`enc:v1:<kid>:…\`, AES-256-GCM).
* **Money.** Amounts are decimal strings of fen (\`"1250"\` = 12.50 CNY), never JSON numbers.
* **Validating messages.** Every schema here is JSON Schema (draft-07, AsyncAPI's default schema
  format, as produced by TypeBox); \`libs/contracts/src/asyncapi/asyncapi-validator.ts\` validates a Kafka message (key,
  headers, value) against this document with ajv.`;

export function buildAsyncApi(): JsonSchema {
  const built: Built = { channels: {}, operations: {}, messages: {} };
  for (const ctx of CONTEXTS) addContext(built, ctx);

  built.channels['commandResults'] = {
    address: REPLY_TOPIC_ADDRESS,
    title: 'Command results',
    description:
      'One topic per command client instance (`KafkaCommandClient.replyTopic`), named in the `reply-to` header of its commands and read by a consumer group of its own, ' +
      'so replies never depend on another group’s partition assignment (ADR 0001). Each command gets exactly one result here. ' +
      'Every reply topic starts with `replies.<client>.`, so a client’s principal can be granted its own reply topics by that prefix.',
    parameters: {
      client: { description: 'The client’s name (its broker principal’s), e.g. `gateway`, `payments`.', examples: ['gateway', 'payments'] },
      instance: { description: 'The client instance id (random per process unless configured).', examples: ['3f9a1c2b'] },
    },
    messages: { CommandResult: { $ref: '#/components/messages/CommandResult' } },
  };
  built.operations['sendCommandResult'] = {
    action: 'send',
    channel: { $ref: '#/channels/commandResults' },
    title: 'A service answers a command',
    messages: [{ $ref: '#/channels/commandResults/messages/CommandResult' }],
  };
  built.messages['CommandResult'] = {
    name: COMMAND_RESULT_TYPE,
    title: 'CommandResult',
    summary: 'The single answer to a command: accepted with data, or rejected with a stable code.',
    contentType: JSON_CONTENT_TYPE,
    headers: headersOf('ResultHeaders', { const: COMMAND_RESULT_TYPE }),
    // Exactly the branches of `CommandResult` (command-result.ts), which clients check results against.
    payload: { oneOf: [toJsonSchema(AcceptedResult), toJsonSchema(RejectedResult)] },
    correlationId: { $ref: '#/components/correlationIds/correlationId' },
    bindings: keyBinding('The correlation id of the command.'),
    examples: RESULT_EXAMPLES,
  };
  built.messages['DeadLetter'] = {
    name: 'DeadLetter',
    title: 'Dead letter',
    summary: 'A refused message, byte for byte (key, value and original headers), plus why and where it came from.',
    contentType: 'application/octet-stream',
    headers: headersSchema(DEAD_LETTER_HEADERS, 'The original headers (whatever they were) plus the `dead-letter-*` headers.'),
    payload: { description: 'The original value, unchanged: possibly not JSON, possibly empty.' },
    bindings: keyBinding('The original key, if there was one.', true),
    examples: [DEAD_LETTER_EXAMPLE],
  };

  return {
    asyncapi: '3.0.0',
    id: 'urn:cn:icbc:digital-wallet:ledger',
    info: {
      title: 'ICBC digital wallet ledger — Kafka interface',
      version: '1.0.0',
      description: DESCRIPTION,
      tags: CONTEXTS.map((ctx) => ({ name: ctx.context, description: ctx.summary })),
    },
    servers: {
      local: { host: 'localhost:9092', protocol: 'kafka', protocolVersion: '3.9', description: 'The broker of `npm start` (KAFKA_BROKERS overrides it).' },
    },
    defaultContentType: JSON_CONTENT_TYPE,
    channels: built.channels,
    operations: built.operations,
    components: {
      messages: built.messages,
      schemas: {
        CommandHeaders: headersSchema(COMMAND_HEADERS, 'Headers of every command (`KafkaCommandClient` sets them all; the services require message-id, message-type, correlation-id and actor).'),
        EventHeaders: headersSchema(EVENT_HEADERS, 'Headers of every published event: the event-sourcing metadata and where the event sits in its store; `message-id` is the event id.'),
        ResultHeaders: headersSchema(RESULT_HEADERS, 'Headers of a command result: `correlation-id` is the command’s, `causation-id` the command id.'),
      },
      correlationIds: {
        correlationId: { description: 'Everything one request caused shares it; a result carries its command’s.', location: `$message.header#/${HEADER.correlationId}` },
      },
    },
  };
}

/** The document as committed in `docs/asyncapi.yaml`. */
export function renderAsyncApiYaml(document: JsonSchema = buildAsyncApi()): string {
  return `# Generated by \`npm run asyncapi\` from libs/contracts (build-asyncapi.ts). Do not edit by hand.\n${stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 })}`;
}

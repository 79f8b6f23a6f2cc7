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
import { AcceptedResult, COMMAND_RESULT_TYPE, RejectedResult } from '../command-result';
import { SENDERS, type CommandContract, type Sender } from '../command';
import { HEADER, JSON_CONTENT_TYPE } from '../headers';
import { pingCommand } from '../system';
import { topics } from '../topics';
import * as cards from '../cards';
import * as identity from '../identity';
import * as ops from '../ops';
import * as payments from '../payments';
import * as projector from '../projector';
import * as wallet from '../wallet';
import { DESCRIPTION } from './asyncapi-description';
import { ALERT_EXAMPLES, DEAD_LETTER_EXAMPLE, RESULT_EXAMPLES } from './asyncapi-examples';
import {
  ALERT_HEADERS,
  COMMAND_HEADERS,
  DEAD_LETTER_HEADERS,
  EVENT_HEADERS,
  RESULT_HEADERS,
  headersOf,
  headersSchema,
} from './asyncapi-headers';
import { commandMessage, eventMessage, keyBinding, otherEventMessage, toJsonSchema } from './asyncapi-messages';

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
  gateway:
    'the HTTP gateway, the only sender of users’, staff’s and payment providers’ actors (each from a verified token or signature) and of anonymous callers (registration, login)',
  payments: 'the payments service, while it carries out a payment',
  cards: 'the cards service, while it carries out a card command',
  operator: 'the operators’ tools (readiness pings, maintenance mode)',
  internal: 'the bank’s other internal systems (risk engines, merchant systems), e.g. through `@ledger/client`',
};

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

/** `ops.alerts`: the projector's invariant alerts, raised once when a breach starts and cleared once when it ends. */
function addAlerts(built: Built): void {
  built.channels['opsAlerts'] = {
    address: ops.ALERTS_TOPIC,
    title: 'Operational alerts',
    description:
      'The projector checks the ledger’s invariants on its read models every few seconds and publishes a breach here when it starts (`raised`) and once more when it ends (`cleared`), ' +
      'never on every check; the state is kept in the analytics database, so a restart neither raises an alert again nor forgets one. ' +
      'Key: the alert key `<invariant>:<subject>`, so one alert’s messages stay in order. At least once: dedupe by `message-id` (the `alertId`).',
    messages: { [ops.INVARIANT_ALERT_TYPE]: { $ref: `#/components/messages/${componentId(ops.INVARIANT_ALERT_TYPE)}` } },
    bindings: { kafka: { topic: ops.ALERTS_TOPIC, bindingVersion: '0.5.0' } },
  };
  built.operations['projector.publishAlert'] = {
    action: 'send',
    channel: { $ref: '#/channels/opsAlerts' },
    title: 'The projector raises or clears an invariant alert',
    messages: [{ $ref: `#/channels/opsAlerts/messages/${ops.INVARIANT_ALERT_TYPE}` }],
  };
  built.messages[componentId(ops.INVARIANT_ALERT_TYPE)] = {
    name: ops.INVARIANT_ALERT_TYPE,
    title: 'InvariantAlert',
    summary: 'An invariant of the ledger started or stopped being broken.',
    contentType: JSON_CONTENT_TYPE,
    headers: headersOf('AlertHeaders', { const: ops.INVARIANT_ALERT_TYPE }),
    payload: toJsonSchema(ops.InvariantAlert),
    bindings: keyBinding('The alert key: `<invariant>:<subject>`.'),
    examples: ALERT_EXAMPLES,
  };
}

// ---------------------------------------------------------------- the document

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
  addAlerts(built);

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
      local: {
        host: 'localhost:9092',
        protocol: 'kafka',
        protocolVersion: '3.9',
        description: 'The broker of `npm start` (KAFKA_BROKERS overrides it).',
      },
    },
    defaultContentType: JSON_CONTENT_TYPE,
    channels: built.channels,
    operations: built.operations,
    components: {
      messages: built.messages,
      schemas: {
        CommandHeaders: headersSchema(
          COMMAND_HEADERS,
          'Headers of every command (`KafkaCommandClient` sets them all; the services require message-id, message-type, correlation-id and actor).',
        ),
        EventHeaders: headersSchema(
          EVENT_HEADERS,
          'Headers of every published event: the event-sourcing metadata and where the event sits in its store; `message-id` is the event id.',
        ),
        ResultHeaders: headersSchema(
          RESULT_HEADERS,
          'Headers of a command result: `correlation-id` is the command’s, `causation-id` the command id.',
        ),
        AlertHeaders: headersSchema(
          ALERT_HEADERS,
          'Headers of an operational alert: `message-id` is the alert id, `occurred-at` its `at`.',
        ),
      },
      correlationIds: {
        correlationId: {
          description: 'Everything one request caused shares it; a result carries its command’s.',
          location: `$message.header#/${HEADER.correlationId}`,
        },
      },
    },
  };
}

/** The document as committed in `docs/asyncapi.yaml`. */
export function renderAsyncApiYaml(document: JsonSchema = buildAsyncApi()): string {
  return `# Generated by \`npm run asyncapi\` from libs/contracts (build-asyncapi.ts). Do not edit by hand.\n${stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 })}`;
}

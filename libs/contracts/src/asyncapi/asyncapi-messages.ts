/**
 * The message components of the AsyncAPI document (`build-asyncapi.ts`): a command's (with the
 * senders it lists), a published event's and any other event's, their key bindings, and the
 * conversion of the contracts' TypeBox schemas to plain JSON Schema.
 */
import type { TSchema } from '@sinclair/typebox';
import { SENDERS, type CommandContract, type Sender } from '../command';
import { JSON_CONTENT_TYPE } from '../headers';
import { COMMAND_EXAMPLES, EVENT_EXAMPLES } from './asyncapi-examples';
import { headersOf } from './asyncapi-headers';
import type { JsonSchema } from './build-asyncapi';

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

/** The Kafka binding of a message: what its key is. `nullable` keys may be absent (dead letters). */
export function keyBinding(description: string, nullable = false): JsonSchema {
  const key: JsonSchema = nullable ? { type: ['string', 'null'], description } : { type: 'string', minLength: 1, description };
  return { kafka: { key, bindingVersion: '0.5.0' } };
}

export function commandMessage(contract: CommandContract, commandKey: string): JsonSchema {
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

export function eventMessage(context: string, type: string, schema: JsonSchema | undefined, eventKey: string): JsonSchema {
  const message: JsonSchema = {
    name: type,
    title: type.slice(context.length + 1),
    summary: schema
      ? `Published event ${type}.`
      : `Process step ${type}: published, but its data has no stable schema; do not depend on its fields.`,
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

export function otherEventMessage(context: string, eventKey: string): JsonSchema {
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

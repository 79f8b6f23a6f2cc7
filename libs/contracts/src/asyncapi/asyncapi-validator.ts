/**
 * Validates Kafka messages (topic, key, headers, value) against the AsyncAPI document, using only
 * what the document says: the channel by address (the run's topic prefix, then the address; a
 * `{param}` matches any name), the message by its `message-type` header, then the key
 * (`bindings.kafka.key`), the headers schema and the payload schema with ajv. Tests use it to prove
 * that what the services produce is what the contract says.
 *
 * Each sender's command topic (`<context>.commands.from.<sender>`) and its dead letters are a channel
 * of their own with an exact address, so the topic alone picks the sender's channel, and a command
 * on the topic of a sender its contract does not list is reported: it is not a message of that
 * channel (the services answer it `FORBIDDEN`).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { HEADER } from '../headers';
import type { JsonSchema } from './build-asyncapi';

/** A Kafka message as a consumer sees it; header values may be Buffers, strings or arrays. */
export interface KafkaMessageToCheck {
  topic: string;
  key: Buffer | string | null | undefined;
  headers?: Record<string, unknown>;
  value: Buffer | string | null | undefined;
}

export interface MessageCheck {
  topic: string;
  /** The channel id in the document, when the topic matched one. */
  channel?: string;
  /** The component message id the message was checked against. */
  message?: string;
  violations: string[];
}

interface CompiledMessage {
  id: string;
  messageType?: { const?: string; pattern?: RegExp };
  json: boolean;
  key: ValidateFunction;
  headers: ValidateFunction;
  payload: ValidateFunction;
}

interface CompiledChannel {
  id: string;
  address: string;
  matches(topic: string): boolean;
  /**
   * Exact addresses are tried before parameterized ones: a `{param}` matches dots too, so a topic
   * with a channel of its own (a sender's command topic, its dead letters) must win over a pattern
   * that happens to match it as well.
   */
  parameterized: boolean;
  messages: CompiledMessage[];
}

/** Replaces every local `$ref` (`#/…`) with what it points at, recursively. */
export function resolveLocalRefs(document: JsonSchema): JsonSchema {
  const at = (pointer: string): unknown =>
    pointer
      .replace(/^#\//, '')
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
  const resolve = (node: unknown, depth: number): unknown => {
    if (depth > 64) throw new Error('$ref nesting deeper than 64: a cycle?');
    if (Array.isArray(node)) return node.map((item) => resolve(item, depth + 1));
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    if (typeof record['$ref'] === 'string' && record['$ref'].startsWith('#/')) {
      const target = at(record['$ref']);
      if (target === undefined) throw new Error(`unresolvable $ref ${record['$ref']}`);
      return resolve(target, depth + 1);
    }
    return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, resolve(value, depth + 1)]));
  };
  return resolve(document, 0) as JsonSchema;
}

/**
 * The whole topic name must be the prefix and then the address: `t-x.wallet.commands.from.payments`
 * is `wallet.commands.from.payments` with prefix `t-x.`, and is not matched by the address of its
 * dead letters nor by another sender's, which differ in the part after the context.
 */
function addressMatcher(address: string, prefix: string): (topic: string) => boolean {
  const escaped = address
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${escaped}$`);
  return (topic) => regex.test(topic);
}

/**
 * What tells a message apart on its channel: the `message-type` schema of the message's own part of
 * its headers (the last `allOf` branch; the first is the shared header set). None: the channel's
 * only kind of message (dead letters).
 */
function messageTypeSchema(headers: JsonSchema): { const?: string; pattern?: string } {
  for (const part of [...((headers['allOf'] ?? []) as JsonSchema[])].reverse()) {
    const own = (part['properties'] as Record<string, { const?: string; pattern?: string }> | undefined)?.[HEADER.messageType];
    if (own && (own.const !== undefined || own.pattern !== undefined)) return own;
  }
  return {};
}

function headerString(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

function describe(errors: ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? []).map((error) => {
    const extra =
      error.keyword === 'additionalProperties'
        ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
        : error.keyword === 'const'
          ? ` (${JSON.stringify((error.params as { allowedValue?: unknown }).allowedValue)})`
          : '';
    return `${where}${error.instancePath || ''}: ${error.message ?? error.keyword}${extra}`;
  });
}

export class AsyncApiValidator {
  private readonly channels: CompiledChannel[];

  /** `topicPrefix`: the prefix every topic of the checked run carries (e.g. `t-abc123.`). */
  constructor(document: JsonSchema, topicPrefix = '') {
    const resolved = resolveLocalRefs(document);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const channels = (resolved['channels'] ?? {}) as Record<string, { address: string; messages?: Record<string, JsonSchema> }>;
    const rawChannels = (document['channels'] ?? {}) as Record<string, { messages?: Record<string, { $ref?: string }> }>;
    const messageId = (channel: string, key: string) => rawChannels[channel]?.messages?.[key]?.$ref?.split('/').pop() ?? key;
    this.channels = Object.entries(channels)
      .map(([id, channel]) => ({
        id,
        address: channel.address,
        parameterized: channel.address.includes('{'),
        matches: addressMatcher(channel.address, topicPrefix),
        messages: Object.entries(channel.messages ?? {}).map(([name, message]) => {
          const headers = (message['headers'] ?? { type: 'object' }) as JsonSchema;
          const typeSchema = messageTypeSchema(headers);
          const restrictsType = typeSchema.const !== undefined || typeSchema.pattern !== undefined;
          const key = ((message['bindings'] as JsonSchema | undefined)?.['kafka'] as JsonSchema | undefined)?.['key'] as
            JsonSchema | undefined;
          return {
            id: messageId(id, name),
            messageType: restrictsType
              ? { const: typeSchema.const, pattern: typeSchema.pattern === undefined ? undefined : new RegExp(typeSchema.pattern) }
              : undefined,
            json: (message['contentType'] ?? resolved['defaultContentType']) === 'application/json',
            key: ajv.compile(key ?? { type: 'string', minLength: 1 }),
            headers: ajv.compile(headers),
            payload: ajv.compile((message['payload'] ?? {}) as JsonSchema),
          } as CompiledMessage;
        }),
      }))
      .sort((a, b) => Number(a.parameterized) - Number(b.parameterized));
  }

  check(message: KafkaMessageToCheck): MessageCheck {
    const channel = this.channels.find((candidate) => candidate.matches(message.topic));
    if (!channel)
      return { topic: message.topic, violations: [`topic ${message.topic}: no channel of the AsyncAPI document has this address`] };
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      const text = headerString(value);
      if (text !== undefined) headers[name] = text;
    }
    const type = headers[HEADER.messageType];
    const byConst = channel.messages.find(
      (candidate) => candidate.messageType?.const !== undefined && candidate.messageType.const === type,
    );
    const byPattern = channel.messages.find(
      (candidate) =>
        candidate.messageType?.const === undefined &&
        candidate.messageType?.pattern !== undefined &&
        type !== undefined &&
        candidate.messageType.pattern.test(type),
    );
    const untyped = channel.messages.find((candidate) => candidate.messageType === undefined);
    const chosen = byConst ?? byPattern ?? untyped;
    if (!chosen) {
      // A known type on the wrong topic is usually a sender its contract does not list: say where it belongs.
      const elsewhere = this.channels
        .filter(
          (other) => other !== channel && type !== undefined && other.messages.some((candidate) => candidate.messageType?.const === type),
        )
        .map((other) => other.id);
      const hint = elsewhere.length > 0 ? ` (it is a message of ${elsewhere.join(', ')})` : '';
      return {
        topic: message.topic,
        channel: channel.id,
        violations: [`${message.topic}: message-type ${JSON.stringify(type)} is not a message of channel ${channel.id}${hint}`],
      };
    }

    const violations: string[] = [];
    const key =
      message.key === undefined || message.key === null ? null : Buffer.isBuffer(message.key) ? message.key.toString('utf8') : message.key;
    if (!chosen.key(key)) violations.push(...describe(chosen.key.errors, 'key').map((line) => `${line} (key ${JSON.stringify(key)})`));
    if (!chosen.headers(headers)) violations.push(...describe(chosen.headers.errors, 'headers'));
    const raw =
      message.value === undefined || message.value === null
        ? null
        : Buffer.isBuffer(message.value)
          ? message.value.toString('utf8')
          : message.value;
    let payload: unknown = raw;
    if (chosen.json) {
      try {
        payload = raw === null ? undefined : JSON.parse(raw);
      } catch (error) {
        violations.push(`payload: not JSON (${(error as Error).message})`);
        return {
          topic: message.topic,
          channel: channel.id,
          message: chosen.id,
          violations: violations.map((line) => `${chosen.id}: ${line}`),
        };
      }
    }
    if (!chosen.payload(payload)) violations.push(...describe(chosen.payload.errors, 'payload'));
    return { topic: message.topic, channel: channel.id, message: chosen.id, violations: violations.map((line) => `${chosen.id}: ${line}`) };
  }
}

import type { Static, TSchema } from '@sinclair/typebox';

/**
 * Who writes commands to the services. Each sender has a command topic of its own in every context
 * it calls (`topics.commandsFrom(context, sender)`), and only that sender's broker principals may
 * write there (ACLs), so the topic a command arrives on proves who sent it; the `actor` header only
 * says on whose behalf, and each command lists which actors each sender may assert.
 *
 * - `gateway`: the HTTP edge; the only sender of users' and staff's actors, each from a verified token.
 * - `payments`, `cards`: services calling another context while they carry out a command of their own.
 * - `operator`: the operators' tools (readiness pings, maintenance mode).
 * - `internal`: the bank's other internal systems (risk engines, merchant systems), through `@ledger/client`.
 */
export const SENDERS = ['gateway', 'payments', 'cards', 'operator', 'internal'] as const;
export type Sender = (typeof SENDERS)[number];

/**
 * The kinds of actor a command may name (the part of the `actor` header before `:`): a customer
 * (`user:<userId>`), customer service (`support:<agentId>`), a bank teller (`teller:<tellerId>`), a
 * branch supervisor deciding on a teller's work (`supervisor:<agentId>`), a third-party payment provider's signed callback (`provider:<name>`), a merchant calling the merchant API with its key (`merchant:<merchantId>`), a service or internal system
 * (`system:<name>`), a risk rule (`risk:<ruleId>`), or nobody yet (`anonymous`: registration, login).
 */
export const ACTOR_KINDS = ['user', 'support', 'teller', 'supervisor', 'provider', 'merchant', 'system', 'risk', 'anonymous'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** Per sender, the actor kinds it may assert for one command; a sender not listed may not send it. */
export type CommandSenders = Readonly<Partial<Record<Sender, readonly ActorKind[]>>>;

/**
 * A command's contract: its versioned type name, the context whose topics carry it, the JSON schema
 * of its payload, and who may send it. Services validate incoming payloads against the schema and
 * refuse a sender or actor the contract does not list before any handler runs; the AsyncAPI
 * document and the broker's grants are generated from the same objects.
 */
export interface CommandContract<
  Name extends string = string,
  Payload extends TSchema = TSchema,
  Accepted extends TSchema | undefined = TSchema | undefined,
> {
  readonly type: Name;
  readonly context: string;
  readonly payload: Payload;
  readonly description: string;
  readonly senders: CommandSenders;
  /**
   * The stable codes the command may be rejected with, beyond the transport's (`TRANSPORT_ERROR`,
   * which any command may meet): the one list of them. The gateway's routes document these, the
   * AsyncAPI document lists them, and the contract specs check each against the codes its context
   * (or a context it calls) defines and against the codes its description names.
   */
  readonly rejects: readonly string[];
  /**
   * The JSON schema of the accepted result's `data`, where the contract gives one (else the data is
   * described only in prose in `description`). Written from what the handler answers, loose where it
   * may add fields; `@ledger/client` types its results by it and can check answers against it
   * (`validateResults`), which the end-to-end tests do against the real services.
   */
  readonly accepted?: Accepted;
}

export type PayloadOf<C extends CommandContract> = Static<C['payload']>;

/** The type of a command's accepted data: its `accepted` schema's, or an open record when the contract gives none. */
export type AcceptedOf<C extends CommandContract> = [NonNullable<C['accepted']>] extends [never]
  ? Record<string, unknown>
  : Static<NonNullable<C['accepted']>>;

/** What a secret field of a command looks like: sealed (`seal:v1:`) or keyring-encrypted (`enc:v1:`), never plaintext. */
export const ENCRYPTED_FIELD_PATTERN = '^(seal|enc):v1:';

/** A command's contract as written, with its own name, payload and accepted-data types kept for the callers' types. */
export function defineCommand<Name extends string, Payload extends TSchema, Accepted extends TSchema | undefined = undefined>(
  contract: CommandContract<Name, Payload, Accepted>,
): CommandContract<Name, Payload, Accepted> {
  return contract;
}

const ACTOR = /^(user|support|teller|supervisor|provider|merchant|system|risk):([A-Za-z0-9][A-Za-z0-9._:@-]{0,127})$/;

/** The kind and id of an `actor` header, or undefined when it is not one of the forms above. */
export function parseActorHeader(actor: string): { kind: ActorKind; id: string } | undefined {
  if (actor === 'anonymous') return { kind: 'anonymous', id: '' };
  const match = ACTOR.exec(actor);
  return match === null ? undefined : { kind: match[1] as ActorKind, id: match[2]! };
}

/** Who acts, as a service that acts only for `kinds` reads the header: any other kind, or a malformed header, is anonymous. */
export function actorAmong<Kind extends Exclude<ActorKind, 'anonymous'>>(
  header: string,
  kinds: readonly Kind[],
): { kind: Kind; id: string } | { kind: 'anonymous' } {
  const parsed = parseActorHeader(header.trim());
  return parsed !== undefined && (kinds as readonly ActorKind[]).includes(parsed.kind)
    ? { kind: parsed.kind as Kind, id: parsed.id }
    : { kind: 'anonymous' };
}

/**
 * The id of the actor when it is of `kind` (`user:u-1` → `u-1`), else undefined: how every service
 * reads who acts, by the same rule the transport checked the header with.
 */
export function actorIdOf(actor: string, kind: Exclude<ActorKind, 'anonymous'>): string | undefined {
  const parsed = parseActorHeader(actor.trim());
  return parsed?.kind === kind ? parsed.id : undefined;
}

/**
 * Why `sender` may not send `contract` on behalf of `actor`, or undefined when it may. Deny by
 * default: the sender must be listed, the actor's kind must be one it may assert, and a service
 * asserting `system:` names itself (payments is `system:payments`); only internal systems, which
 * share one sender, name themselves freely.
 */
export function senderRefusal(contract: CommandContract, sender: Sender, actor: string): string | undefined {
  const allowed = contract.senders[sender];
  if (allowed === undefined) return `${sender} may not send ${contract.type}`;
  const parsed = parseActorHeader(actor);
  if (parsed === undefined) return `actor "${actor.slice(0, 80)}" is not <kind>:<id> or anonymous`;
  if (!allowed.includes(parsed.kind)) return `${sender} may not send ${contract.type} as a ${parsed.kind} actor`;
  if (parsed.kind === 'system' && sender !== 'internal' && parsed.id !== sender) return `${sender} asserts system:${sender}, not ${actor}`;
  return undefined;
}

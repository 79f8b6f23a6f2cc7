import { Logger } from '@nestjs/common';
import { identityContract, type CommandResult, type RejectedResult } from '@ledger/contracts';
import {
  HASH_PURPOSE,
  base32Decode,
  decryptField,
  fingerprint,
  fingerprintCandidates,
  generateId,
  hashLoginPassword,
  openField,
  verifyPaymentPassword,
  verifyTotp,
  verifyVerificationCode,
  FieldDecryptionError,
} from '@ledger/crypto';
import { commandMetadata, DeciderHandler, type CommandMetadata, type EventStore } from '@ledger/event-store';
import {
  IDENTITY_EVENT,
  InvalidIdentityCommand,
  codeProofFrom,
  createUserDecider,
  createVerificationCodeDecider,
  maintenanceDecider,
  maskPhone,
  normalizeMobilePhone,
  outcomeOf,
  phoneReservationDecider,
  phoneReservationStreamId,
  recordedRejection,
  userStreamId,
  verificationCodeStreamId,
  type CodeProof,
  type IdentityEvent,
  type IdentityRejection,
  type MaintenanceCommand,
  type MaintenanceEvent,
  type MaintenanceState,
  type PhoneReservationCommand,
  type PhoneReservationEvent,
  type PhoneReservationState,
  type RegisteredUser,
  type SecondFactorCheck,
  type UserCommand,
  type UserDecider,
  type UserEvent,
  type UserState,
  type VerificationCodeCommand,
  type VerificationCodeEvent,
  type VerificationCodeState,
  type VerificationPurpose,
} from '@ledger/identity-domain';
import { accepted, InvalidInput, rejected, rejectedBy, runUseCase, type CommandEnvelope } from '@ledger/messaging';
import { instantMs, isBefore, nowInstant, type Decider, type DomainRejection, type Instant } from '@ledger/util';
import type { IdentityConfig } from './config';
import { ForbiddenActor, parseActor } from './infra/actor';
import { identityCodec } from './infra/event-codec';
import type { IdentityReadModel } from './infra/read-model';
import type { SmsSender } from './infra/sms-sender';
import { matchingRecoveryCodeHash } from './use-cases/second-factor/recovery-codes';
import type { SessionService } from './use-cases/sessions/session-service';

type SecretField = identityContract.SecretField;
/** A refusal that records nothing (as opposed to a recorded failure, such as a wrong password that counts toward its lock). */
function refusedOutright(outcome: ReturnType<typeof outcomeOf>): IdentityRejection | undefined {
  return outcome.events.length === 0 ? outcome.rejection : undefined;
}

/** Codes the service adds to the domain's: input the deciders never see, and authorization. */
export const IDENTITY_SERVICE_ERROR = {
  INVALID_INPUT: 'INVALID_INPUT',
  FORBIDDEN: 'FORBIDDEN',
  /** The SMS gateway did not take the code (no answer, or it refused): the user asks again once details.retryAt is past. */
  SMS_UNAVAILABLE: 'SMS_UNAVAILABLE',
} as const;

/**
 * A command whose last detail is computed from the freshest state, inside the decider: the
 * handler re-runs `resolve` on every optimistic-concurrency retry, so e.g. a payment password is
 * always compared with the hash in the state being decided on, never with a stale copy.
 */
export type Resolvable<Command, State> = Command | { type: 'Resolve'; resolve(state: State): Command };

export function resolving<Command extends { type: string }, Event, State>(
  decider: Decider<Command, Event, State, DomainRejection>,
): Decider<Resolvable<Command, State>, Event, State> {
  return {
    initialState: () => decider.initialState(),
    evolve: (state, event) => decider.evolve(state, event),
    decide: (command, state) =>
      decider.decide(
        command.type === 'Resolve' ? (command as { resolve(state: State): Command }).resolve(state) : (command as Command),
        state,
      ),
  };
}

export interface StepOutcome<Event> {
  events: Event[];
  rejection: DomainRejection | undefined;
  duplicate: boolean;
}

/** A phone a command carries, normalized, with its fingerprints. */
export interface OpenedPhone {
  phone: string;
  phoneHash: string;
  masked: string;
  /** After a pepper-key rotation a phone registered under the old key has the old fingerprint. */
  candidates: string[];
}

export type ConsumedCode = { proof: CodeProof; rejection?: undefined } | { proof?: undefined; rejection: DomainRejection };

/** Stands in for values that only the real step knows, in dry runs that look for a rejection. */
export const DRY_RUN = 'dry-run';

/** The identity service's own refusals, thrown by a use case, as results. */
function refusalOf(envelope: CommandEnvelope, error: unknown): RejectedResult | undefined {
  if (error instanceof InvalidIdentityCommand) return rejected(envelope, IDENTITY_SERVICE_ERROR.INVALID_INPUT, error.message);
  if (error instanceof ForbiddenActor) return rejected(envelope, IDENTITY_SERVICE_ERROR.FORBIDDEN, error.message);
  return undefined;
}

/** A secret field of a command, opened in memory with identity's keys (InvalidInput when it cannot be). */
export function openSecret(config: Pick<IdentityConfig, 'fieldKeyring' | 'sealOpeningKeys'>, token: string, field: SecretField): string {
  try {
    return openField(token, { keyring: config.fieldKeyring, opening: config.sealOpeningKeys }, identityContract.secretAad(field));
  } catch (error) {
    if (error instanceof FieldDecryptionError) throw new InvalidInput(field, `${field} cannot be decrypted (${error.reason})`);
    throw error;
  }
}

export function idNumberAad(userId: string): string {
  return `identity.user.idNumber:${userId}`;
}

export function totpAad(userId: string): string {
  return `identity.user.totpSecret:${userId}`;
}

export interface IdentityCoreDeps {
  store: EventStore;
  config: IdentityConfig;
  sms: SmsSender;
  readModel: IdentityReadModel;
  sessions: SessionService;
}

/**
 * What every identity use case (one file each under `use-cases/`) works with: the deciders'
 * handlers over the event store and the steps they share (open a secret field, fingerprint a
 * phone, check or consume an SMS code, compare a payment password with the freshest state).
 * Nest-free: the module builds one and the controllers hand it to the use cases.
 *
 * Secrets: decrypted values live only in local variables of one call. They are never logged,
 * never passed to a decider (which receives hashes and booleans), and never put in a result; the
 * results that must carry a secret (tokens, the provisioning URI, recovery codes) carry it sealed for the gateway.
 */
export class IdentityCore {
  private readonly logger = new Logger('identity');
  readonly config: IdentityConfig;
  readonly sms: SmsSender;
  readonly readModel: IdentityReadModel;
  readonly sessions: SessionService;
  readonly userDecider: UserDecider;
  readonly users: DeciderHandler<Resolvable<UserCommand, UserState>, UserEvent, UserState>;
  readonly codes: DeciderHandler<Resolvable<VerificationCodeCommand, VerificationCodeState>, VerificationCodeEvent, VerificationCodeState>;
  readonly phones: DeciderHandler<PhoneReservationCommand, PhoneReservationEvent, PhoneReservationState>;
  readonly maintenance: DeciderHandler<MaintenanceCommand, MaintenanceEvent, MaintenanceState>;
  private dummyLoginHash?: Promise<string>;

  constructor({ store, config, sms, readModel, sessions }: IdentityCoreDeps) {
    this.config = config;
    this.sms = sms;
    this.readModel = readModel;
    this.sessions = sessions;
    this.userDecider = createUserDecider(config.policy);
    this.users = new DeciderHandler({ store, decider: resolving(this.userDecider), codec: identityCodec<UserEvent>() });
    this.codes = new DeciderHandler({
      store,
      decider: resolving(createVerificationCodeDecider(config.policy)),
      codec: identityCodec<VerificationCodeEvent>(),
    });
    this.phones = new DeciderHandler({ store, decider: phoneReservationDecider, codec: identityCodec<PhoneReservationEvent>() });
    this.maintenance = new DeciderHandler({ store, decider: maintenanceDecider, codec: identityCodec<MaintenanceEvent>() });
  }

  /**
   * Runs one use case and maps the service's own exceptions to rejections: invalid input
   * (`INVALID_INPUT`, including a decider's `InvalidIdentityCommand` and an undecryptable field)
   * and a wrong actor (`FORBIDDEN`). Anything else is an infrastructure fault and propagates, so
   * the transport retries it a bounded number of times. One log line per command, without payload.
   */
  execute(envelope: CommandEnvelope, work: () => Promise<CommandResult>): Promise<CommandResult> {
    return runUseCase(
      envelope,
      work,
      (error) => refusalOf(envelope, error),
      (line) => this.logger.log(line),
    );
  }

  now(): Instant {
    return nowInstant(this.config.clock);
  }

  registered(envelope: CommandEnvelope, user: RegisteredUser): CommandResult {
    return accepted(envelope, {
      userId: user.userId,
      maskedPhone: user.maskedPhone,
      identityLevel: user.identityLevel,
      registeredAt: user.registeredAt,
    });
  }

  /** Decides, appends what was decided, and derives the rejection that recorded failures stand for. */
  async step<Command, Event extends IdentityEvent, State>(
    handler: DeciderHandler<Command, Event, State>,
    stream: string,
    command: Command,
    meta: CommandMetadata,
  ): Promise<StepOutcome<Event>> {
    const outcome = await handler.handle(stream, command, meta);
    if (outcome.kind === 'rejected') return { events: [], rejection: outcome.rejection, duplicate: false };
    return { events: outcome.events, rejection: recordedRejection(outcome.events), duplicate: outcome.duplicate };
  }

  /** A step on the user's stream, answered `{ userId }` when accepted: the shape of most account changes. */
  async changeUser(
    envelope: CommandEnvelope,
    userId: string,
    command: Resolvable<UserCommand, UserState>,
    meta = commandMetadata(envelope),
  ): Promise<CommandResult> {
    const step = await this.step(this.users, userStreamId(userId), command, meta);
    return step.rejection ? rejectedBy(envelope, step.rejection) : accepted(envelope, { userId });
  }

  /**
   * A user command that needs an SMS code, run so that only a step that succeeds uses the code up:
   * a refusal is answered before the code is touched, and a recorded failure (a wrong payment
   * password or dynamic code) is recorded without it, so the user retries with the same code
   * instead of waiting out the resend cooldown and the per-phone code limit.
   */
  async withSmsCode(
    envelope: CommandEnvelope,
    user: RegisteredUser,
    sms: { purpose: VerificationPurpose; code: string },
    command: (verification: CodeProof | undefined) => Resolvable<UserCommand, UserState>,
    succeeded: UserEvent['type'],
  ): Promise<CommandResult> {
    const meta = commandMetadata(envelope);
    const outcome = this.trial(command({ codeId: DRY_RUN, purpose: sms.purpose, phoneHash: user.phoneHash }), user);
    const refusal = refusedOutright(outcome);
    if (refusal) return rejectedBy(envelope, refusal);
    if (!outcome.events.some((event) => event.type === succeeded)) return this.changeUser(envelope, user.userId, command(undefined), meta);
    const consumed = await this.consumeCode(user.phoneHash, sms.purpose, sms.code, meta);
    if (consumed.rejection) return rejectedBy(envelope, consumed.rejection);
    return this.changeUser(envelope, user.userId, command(consumed.proof), meta);
  }

  /** A rejection the user decider would answer without recording anything, or undefined. */
  dryRun(command: UserCommand, state: UserState): IdentityRejection | undefined {
    return refusedOutright(this.trial(command, state));
  }

  /** What the user decider would answer on `state`; nothing is recorded. */
  private trial(command: Resolvable<UserCommand, UserState>, state: UserState): ReturnType<typeof outcomeOf> {
    return outcomeOf(this.userDecider.decide(command.type === 'Resolve' ? command.resolve(state) : command, state));
  }

  /** The phone a command carries (sealed for identity: it never travels in clear), normalized, with its fingerprints. */
  phone(ciphertext: string): OpenedPhone {
    const input = this.open(ciphertext, 'phone');
    let phone: string;
    try {
      phone = normalizeMobilePhone(input);
    } catch {
      throw new InvalidInput('phone', 'not a mainland China mobile number');
    }
    return {
      phone,
      phoneHash: fingerprint(HASH_PURPOSE.phone, phone, this.config.pepperKeyring),
      masked: maskPhone(phone),
      candidates: fingerprintCandidates(HASH_PURPOSE.phone, phone, this.config.pepperKeyring),
    };
  }

  /** The registered user holding one of these phone fingerprints, from the authoritative reservation streams. */
  async registeredUser(candidates: readonly string[]): Promise<RegisteredUser | undefined> {
    for (const candidate of candidates) {
      const reservation = (await this.phones.load(phoneReservationStreamId(candidate))).state;
      if (reservation.kind !== 'reserved') continue;
      const user = await this.userState(reservation.userId);
      if (user !== undefined) return user;
    }
    return undefined;
  }

  /** Whether another registration holds (or is completing) this phone. */
  async reservedByOther(candidates: readonly string[], userId: string): Promise<boolean> {
    for (const candidate of candidates) {
      const reservation = (await this.phones.load(phoneReservationStreamId(candidate))).state;
      if (reservation.kind === 'reserved' && reservation.userId !== userId) return true;
    }
    return false;
  }

  async userState(userId: string): Promise<RegisteredUser | undefined> {
    const { state } = await this.users.load(userStreamId(userId));
    return state.status === 'registered' ? state : undefined;
  }

  /** A secret field of a command, opened in memory (InvalidInput when it cannot be). */
  open(token: string, field: SecretField): string {
    return openSecret(this.config, token, field);
  }

  openOptional(token: string | undefined, field: SecretField): string | undefined {
    return token === undefined ? undefined : this.open(token, field);
  }

  requireSelf(envelope: CommandEnvelope, userId: string): void {
    const actor = parseActor(envelope.actor);
    if (actor.kind !== 'user' || actor.id !== userId) throw new ForbiddenActor('only the user may do this for their own account');
  }

  /** For a check either the user or an internal system (cards, payments) asks for. */
  requireSelfOrSystem(envelope: CommandEnvelope, userId: string, what: string): void {
    const actor = parseActor(envelope.actor);
    if (!((actor.kind === 'user' && actor.id === userId) || actor.kind === 'system'))
      throw new ForbiddenActor(`only the user or an internal system may verify ${what}`);
  }

  paymentPasswordMatches(state: UserState, password: string): boolean {
    if (state.status !== 'registered' || state.paymentPassword.kind !== 'set') return false;
    return verifyPaymentPassword(state.userId, password, state.paymentPassword.hash, this.config.pepperKeyring);
  }

  /**
   * The check of the dynamic code a command carries, or undefined when no code was given or the
   * factor is not on (a pending one included): the decider then asks for one if needed. The code may
   * be the authenticator's or one of the user's unused recovery codes; for the latter the check names
   * the stored hash it matched, so that the decider retires that code in the same decision.
   */
  secondFactorCheck(user: RegisteredUser | undefined, code: string | undefined, now: Instant): SecondFactorCheck | undefined {
    if (user === undefined || code === undefined || user.secondFactor.kind !== 'enabled') return undefined;
    if (this.totpMatches(user.userId, user.secondFactor.secretCiphertext, code, now)) return { valid: true };
    const recoveryCodeHash = matchingRecoveryCodeHash(user.userId, code, user.secondFactor.recoveryCodeHashes, this.config.pepperKeyring);
    return recoveryCodeHash === undefined ? { valid: false } : { valid: true, recoveryCodeHash };
  }

  /** Whether `code` is a current TOTP code of the (field-encrypted) secret; the one TOTP check, for enabled and pending secrets alike. */
  totpMatches(userId: string, secretCiphertext: string, code: string, now: Instant): boolean {
    const secret = decryptField(secretCiphertext, this.config.fieldKeyring, totpAad(userId));
    return verifyTotp(base32Decode(secret), code, instantMs(now)).valid;
  }

  /** Whether `code` is the phone's current, unexpired code for `purpose`, without using it up. */
  async codeWouldPass(phoneHash: string, purpose: VerificationPurpose, code: string, now: Instant): Promise<boolean> {
    const { state } = await this.codes.load(verificationCodeStreamId(phoneHash));
    const slot = state.kind === 'tracked' ? state.slots[purpose] : undefined;
    if (slot?.status !== 'active' || !isBefore(now, slot.expiresAt)) return false;
    return verifyVerificationCode(phoneHash, purpose, slot.codeId, code, slot.codeHash, this.config.pepperKeyring);
  }

  /** Uses the phone's code for `purpose` up: the proof the user decider asks for, or the code's failure (recorded, so it counts). */
  async consumeCode(phoneHash: string, purpose: VerificationPurpose, code: string, meta: CommandMetadata): Promise<ConsumedCode> {
    const now = this.now();
    const step = await this.step(
      this.codes,
      verificationCodeStreamId(phoneHash),
      {
        type: 'Resolve',
        resolve: (state) => {
          const slot = state.kind === 'tracked' ? state.slots[purpose] : undefined;
          const matches =
            slot?.status === 'active' &&
            verifyVerificationCode(phoneHash, purpose, slot.codeId, code, slot.codeHash, this.config.pepperKeyring);
          return { type: 'ConsumeVerificationCode', phoneHash, purpose, matches, now };
        },
      },
      meta,
    );
    if (step.rejection) return { rejection: step.rejection };
    const consumed = step.events.find((event) => event.type === IDENTITY_EVENT.VerificationCodeConsumed);
    if (consumed?.type !== IDENTITY_EVENT.VerificationCodeConsumed) throw new Error('code accepted without VerificationCodeConsumed');
    return { proof: codeProofFrom(consumed) };
  }

  /** The argon2 hash checked for an account that does not exist, so that costs what a wrong password costs (the staff login uses it too). */
  dummyHash(): Promise<string> {
    this.dummyLoginHash ??= hashLoginPassword(generateId(), this.config.argon2);
    return this.dummyLoginHash;
  }
}

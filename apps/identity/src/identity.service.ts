import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import {
  HASH_PURPOSE,
  base32Decode,
  decryptField,
  encryptField,
  fingerprint,
  fingerprintCandidates,
  generateId,
  generateSmsCode,
  generateTotpSecret,
  hashLoginPassword,
  hashPaymentPassword,
  hashVerificationCode,
  openField,
  sealField,
  totpProvisioningUri,
  verifyLoginPassword,
  verifyPaymentPassword as paymentPasswordMatchesHash,
  verifyTotp,
  verifyVerificationCode,
  FieldDecryptionError,
  signAccessToken,
} from '@ledger/crypto';
import { DeciderHandler, EVENT_STORE, type CommandMetadata, type EventStore } from '@ledger/event-store';
import {
  IdentityErrorCode,
  IdentityEventType,
  InvalidIdentityCommand,
  MAINTENANCE_STREAM_ID,
  checkLoginPassword,
  checkPaymentPassword,
  codeProofFrom,
  createUserDecider,
  createVerificationCodeDecider,
  maintenanceDecider,
  maintenanceStatusAt,
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
  type UserCommand,
  type UserDecider,
  type UserEvent,
  type UserState,
  type VerificationCodeCommand,
  type VerificationCodeEvent,
  type VerificationCodeState,
  type VerificationPurpose,
} from '@ledger/identity-domain';
import { accepted, rejected, type CommandEnvelope } from '@ledger/messaging';
import type { Decider, DomainRejection } from '@ledger/util';
import { ForbiddenActor, InvalidInput, parseActor } from './infra/actor';
import { identityCodec } from './infra/event-codec';
import { isValidIdNumber } from './infra/id-number';
import { IdentityReadModel } from './infra/read-model';
import { SmsSender } from './infra/sms-sender';
import { SessionService } from './sessions.service';
import { IDENTITY_CONFIG, type IdentityConfig } from './config';

const { secretAad } = identityContract;
type SecretField = identityContract.SecretField;
/** Codes the service adds to the domain's: input the deciders never see, and authorization. */
export const ServiceErrorCode = { INVALID_INPUT: 'INVALID_INPUT', FORBIDDEN: 'FORBIDDEN' } as const;

/**
 * A command whose last detail is computed from the freshest state, inside the decider: the
 * handler re-runs `resolve` on every optimistic-concurrency retry, so e.g. a payment password is
 * always compared with the hash in the state being decided on, never with a stale copy.
 */
type Resolvable<Command, State> = Command | { type: 'Resolve'; resolve(state: State): Command };

function resolving<Command extends { type: string }, Event, State>(decider: Decider<Command, Event, State, IdentityRejection>): Decider<Resolvable<Command, State>, Event, State> {
  return {
    initialState: () => decider.initialState(),
    evolve: (state, event) => decider.evolve(state, event),
    decide: (command, state) => decider.decide(command.type === 'Resolve' ? (command as { resolve(state: State): Command }).resolve(state) : (command as Command), state),
  };
}

interface StepOutcome<Event> {
  events: Event[];
  rejection: DomainRejection | undefined;
  duplicate: boolean;
}

const TOTP_ISSUER = 'ICBC e-Wallet';
/** Stands in for values that only the real step knows, in dry runs that look for a rejection. */
const DRY_RUN = 'dry-run';

/** The user id of a registration: derived from the command id, so a re-delivered command registers the same user. */
export function userIdFor(commandId: string): string {
  const hex = createHash('sha256').update(`identity-user\u0000${commandId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The identity service's use cases: each turns one command envelope into one result. Thin glue
 * around the pure deciders: decrypt secrets in memory, hash or compare them, load → decide →
 * append through `DeciderHandler`, and map the outcome to a result.
 *
 * Secrets: decrypted values live only in local variables of one call. They are never logged,
 * never passed to a decider (which receives hashes and booleans), and never put in a result; the
 * results that must carry a secret (tokens, the provisioning URI) carry it field-encrypted.
 */
@Injectable()
export class IdentityService {
  private readonly logger = new Logger('identity');
  private readonly userDecider: UserDecider;
  private readonly users: DeciderHandler<Resolvable<UserCommand, UserState>, UserEvent, UserState>;
  private readonly codes: DeciderHandler<Resolvable<VerificationCodeCommand, VerificationCodeState>, VerificationCodeEvent, VerificationCodeState>;
  private readonly phones: DeciderHandler<PhoneReservationCommand, PhoneReservationEvent, PhoneReservationState>;
  private readonly maintenance: DeciderHandler<MaintenanceCommand, MaintenanceEvent, MaintenanceState>;
  private dummyLoginHash?: Promise<string>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly sms: SmsSender,
    private readonly readModel: IdentityReadModel,
    private readonly sessions: SessionService,
  ) {
    this.userDecider = createUserDecider(config.policy);
    this.users = new DeciderHandler({ store, decider: resolving(this.userDecider), codec: identityCodec<UserEvent>() });
    this.codes = new DeciderHandler({ store, decider: resolving(createVerificationCodeDecider(config.policy)), codec: identityCodec<VerificationCodeEvent>() });
    this.phones = new DeciderHandler({ store, decider: phoneReservationDecider, codec: identityCodec<PhoneReservationEvent>() });
    this.maintenance = new DeciderHandler({ store, decider: maintenanceDecider, codec: identityCodec<MaintenanceEvent>() });
  }

  /**
   * Runs one use case and maps the service's own exceptions to rejections: invalid input
   * (`INVALID_INPUT`, including a decider's `InvalidIdentityCommand` and an undecryptable field)
   * and a wrong actor (`FORBIDDEN`). Anything else is an infrastructure fault and propagates, so
   * the transport retries it a bounded number of times. One log line per command, without payload.
   */
  async execute(envelope: CommandEnvelope, work: () => Promise<CommandResult>): Promise<CommandResult> {
    let result: CommandResult;
    try {
      result = await work();
    } catch (error) {
      if (error instanceof InvalidInput) result = rejected(envelope, ServiceErrorCode.INVALID_INPUT, error.message, { field: error.field });
      else if (error instanceof InvalidIdentityCommand) result = rejected(envelope, ServiceErrorCode.INVALID_INPUT, error.message);
      else if (error instanceof ForbiddenActor) result = rejected(envelope, ServiceErrorCode.FORBIDDEN, error.message);
      else throw error;
    }
    this.logger.log(`${envelope.type} ${envelope.commandId} ${result.status}${result.status === 'rejected' ? ` ${result.code}` : ''} actor=${envelope.actor}`);
    return result;
  }

  // ------------------------------------------------------------------ verification codes

  async requestVerificationCode(envelope: CommandEnvelope<PayloadOf<typeof identityContract.requestVerificationCode>>): Promise<CommandResult> {
    const { purpose } = envelope.payload;
    const phone = this.phone(envelope.payload.phone);
    const registered = await this.registeredUser(phone.candidates);
    if (purpose === 'registration' && registered !== undefined) {
      return rejected(envelope, IdentityErrorCode.PHONE_ALREADY_REGISTERED, 'this phone number is already registered');
    }
    if (purpose !== 'registration' && registered === undefined) return rejected(envelope, IdentityErrorCode.USER_NOT_FOUND, 'no wallet is registered with this phone number');
    // A registered user's codes live under the fingerprint stored at registration, which is what
    // the user decider checks proofs against (it may predate a pepper-key rotation).
    const phoneHash = registered?.phoneHash ?? phone.phoneHash;
    const code = generateSmsCode();
    const codeId = generateId();
    const codeHash = hashVerificationCode(phoneHash, purpose, codeId, code, this.config.pepperKeyring);
    const step = await this.step(this.codes, verificationCodeStreamId(phoneHash), { type: 'RequestVerificationCode', phoneHash, purpose, codeId, codeHash, now: this.now() }, this.meta(envelope));
    if (step.rejection) return this.reject(envelope, step.rejection);
    const issued = step.events.find((event) => event.type === IdentityEventType.VerificationCodeIssued);
    if (issued?.type !== IdentityEventType.VerificationCodeIssued) throw new Error('a code request was accepted without issuing a code');
    // A re-delivered command finds its code already issued: the code itself is gone (only its hash
    // was kept), so nothing is re-sent; the user asks again after the cooldown.
    if (!step.duplicate) await this.sms.send({ to: phone.phone, text: smsText(purpose, code, this.config.policy.codeTtlMs) });
    return accepted(envelope, { codeId: issued.data.codeId, expiresAt: issued.data.expiresAt, resendAllowedAt: issued.data.resendAllowedAt, maskedPhone: phone.masked });
  }

  // ------------------------------------------------------------------ registration

  /**
   * Registration touches three streams without a transaction (see phone-reservation.ts):
   * 1. cheap pure checks first (maintenance, password strength), by a dry run of the user decider;
   * 2. the phone's reservation stream: already held by someone else → PHONE_ALREADY_REGISTERED;
   * 3. the code is checked without being used; a wrong, expired or used code is consumed so the
   *    failure counts (brute force stops after the limit);
   * 4. the reservation is appended with "stream must not exist": of concurrent registrations of
   *    one phone exactly one wins, the others get PHONE_ALREADY_REGISTERED;
   * 5. the winner consumes the code (releasing the reservation if that fails), hashes the
   *    password with argon2id (only now, so losers cost no CPU) and appends UserRegistered.
   * The user id derives from the command id, so a re-delivered command redoes each step as a no-op.
   */
  async registerUser(envelope: CommandEnvelope<PayloadOf<typeof identityContract.registerUser>>): Promise<CommandResult> {
    const payload = envelope.payload;
    const phone = this.phone(payload.phone);
    const code = this.open(payload.code, 'code');
    const password = this.open(payload.loginPassword, 'loginPassword');
    const name = this.open(payload.name, 'name').trim();
    if (name === '' || name.length > 100) throw new InvalidInput('name', 'a name of 1 to 100 characters is required');
    const userId = userIdFor(envelope.commandId);
    let idNumberCiphertext: string | undefined;
    if (payload.idNumber !== undefined) {
      const idNumber = this.open(payload.idNumber, 'idNumber').toUpperCase();
      if (!isValidIdNumber(idNumber)) throw new InvalidInput('idNumber', 'not a valid resident identity card number');
      // Re-encrypted at rest under an AAD bound to this user, so the ciphertext cannot be moved to another user's record.
      idNumberCiphertext = encryptField(idNumber, this.config.fieldKeyring, idNumberAad(userId));
    }
    const userStream = userStreamId(userId);
    const meta = this.meta(envelope);
    const now = this.now();

    const current = await this.users.load(userStream);
    if (current.state.status === 'registered') return this.registered(envelope, current.state);

    const maintenance = maintenanceStatusAt((await this.maintenance.load(MAINTENANCE_STREAM_ID)).state, now);
    const passwordCheck = checkLoginPassword(password, { phone: phone.phone });
    const command = (loginPasswordHash: string, verification: CodeProof): UserCommand => ({
      type: 'RegisterUser',
      userId,
      now,
      phoneHash: phone.phoneHash,
      maskedPhone: phone.masked,
      name,
      idNumberCiphertext,
      loginPasswordHash,
      passwordCheck,
      verification,
      maintenance,
      deviceId: payload.deviceId,
    });
    const early = this.dryRun(command(DRY_RUN, { codeId: DRY_RUN, purpose: 'registration', phoneHash: phone.phoneHash }), current.state);
    if (early) return this.reject(envelope, early);

    if (await this.reservedByOther(phone.candidates, userId)) return rejected(envelope, IdentityErrorCode.PHONE_ALREADY_REGISTERED, 'this phone number is already registered');

    let proof: CodeProof | undefined;
    if (!(await this.codeWouldPass(phone.phoneHash, 'registration', code, now))) {
      // Wrong, expired, used… : consuming records the failure (or, for a re-delivered command,
      // returns the consumption it already made).
      const consumed = await this.consumeCode(phone.phoneHash, 'registration', code, meta);
      if (consumed.rejection) {
        // A concurrent registration may have reserved the phone and used the code since the check
        // above; it reserves before it consumes, so the reservation is visible now.
        if (await this.reservedByOther(phone.candidates, userId)) return rejected(envelope, IdentityErrorCode.PHONE_ALREADY_REGISTERED, 'this phone number is already registered');
        return this.reject(envelope, consumed.rejection);
      }
      proof = consumed.proof;
    }

    const reservationStream = phoneReservationStreamId(phone.phoneHash);
    const reserved = await this.step(this.phones, reservationStream, { type: 'ReservePhone', phoneHash: phone.phoneHash, userId, now }, meta);
    if (reserved.rejection) return this.reject(envelope, reserved.rejection);
    const release = () =>
      this.step(
        this.phones,
        reservationStream,
        { type: 'ReleasePhoneReservation', phoneHash: phone.phoneHash, userId, reason: 'registration_not_completed', now },
        // Its own command id: the handler would otherwise take it for a repeat of the reservation.
        { ...meta, commandId: `${meta.commandId}:release` },
      );

    if (proof === undefined) {
      const consumed = await this.consumeCode(phone.phoneHash, 'registration', code, meta);
      if (consumed.rejection) {
        await release();
        return this.reject(envelope, consumed.rejection);
      }
      proof = consumed.proof;
    }
    const loginPasswordHash = await hashLoginPassword(password, this.config.argon2);
    const step = await this.step(this.users, userStream, command(loginPasswordHash, proof), meta);
    if (step.rejection) {
      await release();
      return this.reject(envelope, step.rejection);
    }
    const state = (await this.users.load(userStream)).state;
    if (state.status !== 'registered') throw new Error('registration accepted but the user stream is empty');
    return this.registered(envelope, state);
  }

  // ------------------------------------------------------------------ login

  async login(envelope: CommandEnvelope<PayloadOf<typeof identityContract.login>>): Promise<CommandResult> {
    const payload = envelope.payload;
    const phone = this.phone(payload.phone);
    const password = this.open(payload.loginPassword, 'loginPassword');
    const stepUpCode = payload.stepUpCode === undefined ? undefined : this.open(payload.stepUpCode, 'stepUpCode');
    const secondFactorCode = payload.secondFactorCode === undefined ? undefined : this.open(payload.secondFactorCode, 'secondFactorCode');
    const now = this.now();
    const meta = this.meta(envelope);

    const user = await this.registeredUser(phone.candidates);
    if (user === undefined) {
      // Same answer and about the same time as a wrong password, so login does not tell which numbers are registered.
      await verifyLoginPassword(password, await this.dummyHash());
      return rejected(envelope, IdentityErrorCode.INVALID_CREDENTIALS, 'wrong phone number or password');
    }
    const stream = userStreamId(user.userId);
    // While login is locked the decider answers LOGIN_LOCKED before looking at the password, so
    // the argon2 work is skipped: a locked account must not become a CPU sink.
    const locked = user.loginLockedUntil !== null && Date.parse(user.loginLockedUntil) > now.getTime();
    const passwordValid = locked ? false : await verifyLoginPassword(password, user.loginPasswordHash);
    const secondFactorValid = this.secondFactorValid(user, secondFactorCode, now);
    const command = (stepUpCodeValid: boolean | undefined): UserCommand => ({ type: 'Login', userId: user.userId, deviceId: payload.deviceId, passwordValid, stepUpCodeValid, secondFactorValid, now });

    let stepUpCodeValid: boolean | undefined;
    if (stepUpCode !== undefined && !user.knownDevices.includes(payload.deviceId)) {
      // Use the step-up code only when it is the last thing missing; a wrong password or dynamic
      // code must not burn the SMS code.
      const wouldLogIn = outcomeOf(this.userDecider.decide(command(true), user)).events.some((event) => event.type === IdentityEventType.LoggedIn);
      if (wouldLogIn) {
        const consumed = await this.consumeCode(user.phoneHash, 'login_step_up', stepUpCode, meta);
        if (consumed.rejection) return this.reject(envelope, consumed.rejection);
        stepUpCodeValid = true;
      }
    }
    const step = await this.step(this.users, stream, command(stepUpCodeValid), meta);
    if (step.rejection) return this.reject(envelope, step.rejection);
    const loggedIn = step.events.find((event) => event.type === IdentityEventType.LoggedIn);
    if (loggedIn?.type !== IdentityEventType.LoggedIn) throw new Error('login accepted without a LoggedIn event');

    const access = await signAccessToken({ userId: user.userId, deviceId: payload.deviceId, now, ttlMs: this.config.accessTokenTtlMs }, 'user', this.config.accessTokenSigningKey);
    const refresh = await this.sessions.start(envelope, user.userId, payload.deviceId, now);
    const after = (await this.users.load(stream)).state;
    return accepted(envelope, {
      userId: user.userId,
      // Bearer credentials: encrypted like every other secret on Kafka; the gateway decrypts them for the app.
      accessToken: sealField(access.token, this.config.gatewaySealingKey, secretAad('accessToken')),
      accessTokenExpiresAt: access.expiresAt.toISOString(),
      ...refresh,
      newDevice: loggedIn.data.newDevice,
      frozen: after.status === 'registered' && after.freeze.kind === 'frozen',
    });
  }

  // ------------------------------------------------------------------ passwords

  async setPaymentPassword(envelope: CommandEnvelope<PayloadOf<typeof identityContract.setPaymentPassword>>): Promise<CommandResult> {
    const { userId } = envelope.payload;
    this.requireSelf(envelope, userId);
    const password = this.open(envelope.payload.paymentPassword, 'paymentPassword');
    const secondFactorCode = this.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
    const now = this.now();
    const user = await this.userState(userId);
    const step = await this.step(
      this.users,
      userStreamId(userId),
      {
        type: 'SetPaymentPassword',
        userId,
        now,
        paymentPasswordHash: hashPaymentPassword(userId, password, this.config.pepperKeyring),
        passwordCheck: checkPaymentPassword(password),
        secondFactorValid: user === undefined ? undefined : this.secondFactorValid(user, secondFactorCode, now),
      },
      this.meta(envelope),
    );
    return step.rejection ? this.reject(envelope, step.rejection) : accepted(envelope, { userId });
  }

  async changePaymentPassword(envelope: CommandEnvelope<PayloadOf<typeof identityContract.changePaymentPassword>>): Promise<CommandResult> {
    const { userId } = envelope.payload;
    this.requireSelf(envelope, userId);
    const current = this.open(envelope.payload.paymentPassword, 'paymentPassword');
    const next = this.open(envelope.payload.newPaymentPassword, 'newPaymentPassword');
    const secondFactorCode = this.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
    const now = this.now();
    const user = await this.userState(userId);
    const secondFactorValid = user === undefined ? undefined : this.secondFactorValid(user, secondFactorCode, now);
    const newPaymentPasswordHash = hashPaymentPassword(userId, next, this.config.pepperKeyring);
    const passwordCheck = checkPaymentPassword(next);
    const step = await this.step(
      this.users,
      userStreamId(userId),
      {
        type: 'Resolve',
        resolve: (state) => ({ type: 'ChangePaymentPassword', userId, now, oldPasswordMatches: this.paymentPasswordMatches(state, current), newPaymentPasswordHash, passwordCheck, secondFactorValid }),
      },
      this.meta(envelope),
    );
    return step.rejection ? this.reject(envelope, step.rejection) : accepted(envelope, { userId });
  }

  /** "Forgot payment password": an SMS code to the bound phone proves the owner. */
  async resetPaymentPassword(envelope: CommandEnvelope<PayloadOf<typeof identityContract.resetPaymentPassword>>): Promise<CommandResult> {
    const phone = this.phone(envelope.payload.phone);
    const code = this.open(envelope.payload.code, 'code');
    const next = this.open(envelope.payload.newPaymentPassword, 'newPaymentPassword');
    const secondFactorCode = this.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
    const now = this.now();
    const meta = this.meta(envelope);
    const user = await this.registeredUser(phone.candidates);
    if (user === undefined) return rejected(envelope, IdentityErrorCode.USER_NOT_FOUND, 'no wallet is registered with this phone number');
    const command = (verification: CodeProof): UserCommand => ({
      type: 'ResetPaymentPassword',
      userId: user.userId,
      now,
      verification,
      newPaymentPasswordHash: hashPaymentPassword(user.userId, next, this.config.pepperKeyring),
      passwordCheck: checkPaymentPassword(next),
      secondFactorValid: this.secondFactorValid(user, secondFactorCode, now),
    });
    // Refusals that need no code (not set, weak password, second factor missing) come before the code is used up.
    const early = this.dryRun(command({ codeId: DRY_RUN, purpose: 'payment_password_reset', phoneHash: user.phoneHash }), user);
    if (early) return this.reject(envelope, early);
    const consumed = await this.consumeCode(user.phoneHash, 'payment_password_reset', code, meta);
    if (consumed.rejection) return this.reject(envelope, consumed.rejection);
    const step = await this.step(this.users, userStreamId(user.userId), command(consumed.proof), meta);
    return step.rejection ? this.reject(envelope, step.rejection) : accepted(envelope, { userId: user.userId });
  }

  async changeLoginPassword(envelope: CommandEnvelope<PayloadOf<typeof identityContract.changeLoginPassword>>): Promise<CommandResult> {
    const { userId } = envelope.payload;
    this.requireSelf(envelope, userId);
    const current = this.open(envelope.payload.loginPassword, 'loginPassword');
    const next = this.open(envelope.payload.newLoginPassword, 'newLoginPassword');
    const secondFactorCode = this.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
    const now = this.now();
    const user = await this.userState(userId);
    if (user === undefined) return rejected(envelope, IdentityErrorCode.USER_NOT_FOUND, 'no such user', { userId });
    const locked = user.loginLockedUntil !== null && Date.parse(user.loginLockedUntil) > now.getTime();
    const command = (newLoginPasswordHash: string, currentPasswordValid: boolean): UserCommand => ({
      type: 'ChangeLoginPassword',
      userId,
      now,
      currentPasswordValid,
      newLoginPasswordHash,
      passwordCheck: checkLoginPassword(next),
      secondFactorValid: this.secondFactorValid(user, secondFactorCode, now),
    });
    const early = this.dryRun(command(DRY_RUN, true), user);
    if (early) return this.reject(envelope, early);
    const currentPasswordValid = locked ? false : await verifyLoginPassword(current, user.loginPasswordHash);
    const step = await this.step(this.users, userStreamId(userId), command(await hashLoginPassword(next, this.config.argon2), currentPasswordValid), this.meta(envelope));
    return step.rejection ? this.reject(envelope, step.rejection) : accepted(envelope, { userId });
  }

  /** Cards and payments ask before moving money or changing cards. */
  async verifyPaymentPassword(envelope: CommandEnvelope<PayloadOf<typeof identityContract.verifyPaymentPassword>>): Promise<CommandResult> {
    const { userId, purpose } = envelope.payload;
    const actor = parseActor(envelope.actor);
    if (!((actor.kind === 'user' && actor.id === userId) || actor.kind === 'system')) throw new ForbiddenActor('only the user or an internal system may verify this payment password');
    const password = this.open(envelope.payload.paymentPassword, 'paymentPassword');
    const now = this.now();
    const step = await this.step(
      this.users,
      userStreamId(userId),
      { type: 'Resolve', resolve: (state) => ({ type: 'VerifyPaymentPassword', userId, purpose, now, matches: this.paymentPasswordMatches(state, password) }) },
      this.meta(envelope),
    );
    return step.rejection ? this.reject(envelope, step.rejection) : accepted(envelope, { verified: true, userId, purpose });
  }

  /**
   * A payment's SMS step-up from a new device: consumes the user's `login_step_up` code (the code
   * aggregate limits attempts and makes it one use) and records the device as known
   * (`identity.DeviceVerified.v1` on the user's stream). A re-delivered command (same command id)
   * gets the same answer without using a second code.
   */
  async verifyStepUpCode(envelope: CommandEnvelope<PayloadOf<typeof identityContract.verifyStepUpCode>>): Promise<CommandResult> {
    const { userId, deviceId } = envelope.payload;
    const actor = parseActor(envelope.actor);
    if (!((actor.kind === 'user' && actor.id === userId) || actor.kind === 'system')) throw new ForbiddenActor('only the user or an internal system may verify a step-up code');
    const code = this.open(envelope.payload.stepUpCode, 'stepUpCode');
    const meta = this.meta(envelope);
    const user = await this.userState(userId);
    if (user === undefined) return rejected(envelope, IdentityErrorCode.USER_NOT_FOUND, 'no such user', { userId });
    const consumed = await this.consumeCode(user.phoneHash, 'login_step_up', code, meta);
    if (consumed.rejection) return this.reject(envelope, consumed.rejection);
    const step = await this.step(this.users, userStreamId(userId), { type: 'VerifyDevice', userId, deviceId, verification: consumed.proof, now: this.now() }, meta);
    return step.rejection ? this.reject(envelope, step.rejection) : accepted(envelope, { verified: true, userId, deviceId });
  }

  // ------------------------------------------------------------------ second factor

  async enableSecondFactor(envelope: CommandEnvelope<PayloadOf<typeof identityContract.enableSecondFactor>>): Promise<CommandResult> {
    const { userId } = envelope.payload;
    this.requireSelf(envelope, userId);
    const { base32 } = generateTotpSecret();
    const secretCiphertext = encryptField(base32, this.config.fieldKeyring, totpAad(userId));
    const step = await this.step(this.users, userStreamId(userId), { type: 'EnableSecondFactor', userId, now: this.now(), secretCiphertext }, this.meta(envelope));
    if (step.rejection) return this.reject(envelope, step.rejection);
    const enabled = step.events.find((event) => event.type === IdentityEventType.SecondFactorEnabled);
    const user = await this.userState(userId);
    if (enabled?.type !== IdentityEventType.SecondFactorEnabled || user === undefined) throw new Error('second factor accepted without SecondFactorEnabled');
    // From the event, not the fresh secret: a re-delivered command gets the URI of the secret that was stored.
    const secret = decryptField(enabled.data.secretCiphertext, this.config.fieldKeyring, totpAad(userId));
    const uri = totpProvisioningUri({ issuer: TOTP_ISSUER, accountName: user.maskedPhone, secretBase32: secret });
    return accepted(envelope, { userId, provisioningUri: sealField(uri, this.config.gatewaySealingKey, secretAad('provisioningUri')) });
  }

  async disableSecondFactor(envelope: CommandEnvelope<PayloadOf<typeof identityContract.disableSecondFactor>>): Promise<CommandResult> {
    const { userId } = envelope.payload;
    this.requireSelf(envelope, userId);
    const code = this.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
    const paymentPassword = this.openOptional(envelope.payload.paymentPassword, 'paymentPassword');
    const now = this.now();
    const meta = this.meta(envelope);
    const user = await this.userState(userId);
    const command: UserCommand = { type: 'DisableSecondFactor', userId, now, secondFactorValid: user === undefined ? undefined : this.secondFactorValid(user, code, now) };
    if (paymentPassword !== undefined && user !== undefined) {
      // Refusals that record nothing (not enabled, no code, locked) come before the password is tried.
      const early = this.dryRun(command, user);
      if (early) return this.reject(envelope, early);
      // Its own command id: on the same stream, the command's id would make the disable step look like a repeat of this one.
      const verified = await this.step(
        this.users,
        userStreamId(userId),
        { type: 'Resolve', resolve: (state) => ({ type: 'VerifyPaymentPassword', userId, purpose: 'disable_second_factor', now, matches: this.paymentPasswordMatches(state, paymentPassword) }) },
        { ...meta, commandId: `${envelope.commandId}/payment-password` },
      );
      if (verified.rejection) return this.reject(envelope, verified.rejection);
    }
    const step = await this.step(this.users, userStreamId(userId), command, meta);
    return step.rejection ? this.reject(envelope, step.rejection) : accepted(envelope, { userId });
  }

  async resetSecondFactor(envelope: CommandEnvelope<PayloadOf<typeof identityContract.resetSecondFactor>>): Promise<CommandResult> {
    const { userId, verificationReference } = envelope.payload;
    const actor = parseActor(envelope.actor);
    if (actor.kind !== 'support') throw new ForbiddenActor('only customer service may reset a second factor');
    const step = await this.step(
      this.users,
      userStreamId(userId),
      { type: 'ResetSecondFactor', userId, now: this.now(), supportAgentId: actor.id, verificationReference },
      this.meta(envelope),
    );
    return step.rejection ? this.reject(envelope, step.rejection) : accepted(envelope, { userId });
  }

  // ------------------------------------------------------------------ freeze, risk, maintenance

  async freezeAccount(envelope: CommandEnvelope<PayloadOf<typeof identityContract.freezeAccount>>): Promise<CommandResult> {
    const { userId, reason } = envelope.payload;
    const actor = parseActor(envelope.actor);
    const freezeActor =
      actor.kind === 'user' && actor.id === userId
        ? ({ kind: 'user' } as const)
        : actor.kind === 'support'
          ? ({ kind: 'support', agentId: actor.id } as const)
          : actor.kind === 'risk'
            ? ({ kind: 'risk', ruleId: actor.id } as const)
            : undefined;
    if (freezeActor === undefined) throw new ForbiddenActor('an account is frozen by its owner, customer service or risk control');
    const step = await this.step(this.users, userStreamId(userId), { type: 'FreezeAccount', userId, now: this.now(), reason, actor: freezeActor }, this.meta(envelope));
    if (step.rejection) return this.reject(envelope, step.rejection);
    const frozen = step.events.find((event) => event.type === IdentityEventType.AccountFrozen);
    return accepted(envelope, { userId, frozenAt: frozen?.type === IdentityEventType.AccountFrozen ? frozen.data.at : null });
  }

  /**
   * By support: after verifying the caller out of band (the reference is recorded). By the user:
   * an `unfreeze` SMS code to the bound phone plus the payment password (plus the dynamic code
   * when enabled), typically after logging in on a new phone.
   */
  async unfreezeAccount(envelope: CommandEnvelope<PayloadOf<typeof identityContract.unfreezeAccount>>): Promise<CommandResult> {
    const { userId } = envelope.payload;
    const actor = parseActor(envelope.actor);
    const now = this.now();
    const meta = this.meta(envelope);
    const stream = userStreamId(userId);
    if (actor.kind === 'support') {
      const verificationReference = envelope.payload.verificationReference;
      if (verificationReference === undefined) throw new InvalidInput('verificationReference', 'customer service must record how the caller was verified');
      const step = await this.step(this.users, stream, { type: 'UnfreezeAccount', userId, now, actor: { kind: 'support', agentId: actor.id, verificationReference } }, meta);
      return step.rejection ? this.reject(envelope, step.rejection) : accepted(envelope, { userId });
    }
    this.requireSelf(envelope, userId);
    if (envelope.payload.code === undefined) throw new InvalidInput('code', 'an unfreeze SMS code is required');
    if (envelope.payload.paymentPassword === undefined) throw new InvalidInput('paymentPassword', 'the payment password is required');
    const code = this.open(envelope.payload.code, 'code');
    const password = this.open(envelope.payload.paymentPassword, 'paymentPassword');
    const secondFactorCode = this.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
    const user = await this.userState(userId);
    if (user === undefined) return rejected(envelope, IdentityErrorCode.USER_NOT_FOUND, 'no such user', { userId });
    const secondFactorValid = this.secondFactorValid(user, secondFactorCode, now);
    const command = (verification: CodeProof) => ({
      type: 'Resolve' as const,
      resolve: (state: UserState): UserCommand => ({
        type: 'UnfreezeAccount',
        userId,
        now,
        actor: { kind: 'user', verification, paymentPasswordMatches: this.paymentPasswordMatches(state, password), secondFactorValid },
      }),
    });
    const early = this.dryRun(command({ codeId: DRY_RUN, purpose: 'unfreeze', phoneHash: user.phoneHash }).resolve(user), user);
    if (early) return this.reject(envelope, early);
    const consumed = await this.consumeCode(user.phoneHash, 'unfreeze', code, meta);
    if (consumed.rejection) return this.reject(envelope, consumed.rejection);
    const step = await this.step(this.users, stream, command(consumed.proof), meta);
    return step.rejection ? this.reject(envelope, step.rejection) : accepted(envelope, { userId });
  }

  async raiseRiskAlert(envelope: CommandEnvelope<PayloadOf<typeof identityContract.raiseRiskAlert>>): Promise<CommandResult> {
    const { userId, signal, severity, description, protect } = envelope.payload;
    const actor = parseActor(envelope.actor);
    if (actor.kind !== 'risk' && actor.kind !== 'system') throw new ForbiddenActor('risk alerts come from risk rules or internal systems');
    const step = await this.step(this.users, userStreamId(userId), { type: 'RaiseRiskAlert', userId, now: this.now(), signal, severity, description, source: `${actor.kind}:${actor.id}`, protect }, this.meta(envelope));
    if (step.rejection) return this.reject(envelope, step.rejection);
    return accepted(envelope, { userId, frozen: step.events.some((event) => event.type === IdentityEventType.AccountFrozen) });
  }

  async setMaintenanceMode(envelope: CommandEnvelope<PayloadOf<typeof identityContract.setMaintenanceMode>>): Promise<CommandResult> {
    const actor = parseActor(envelope.actor);
    if (actor.kind !== 'support' && actor.kind !== 'system') throw new ForbiddenActor('only operators may switch maintenance mode');
    const operatorId = `${actor.kind}:${actor.id}`;
    const now = this.now();
    const payload = envelope.payload;
    const command: MaintenanceCommand = payload.on
      ? { type: 'SetMaintenanceMode', on: true, until: new Date(payload.until), message: payload.message, operatorId, now }
      : { type: 'SetMaintenanceMode', on: false, operatorId, now };
    const step = await this.step(this.maintenance, MAINTENANCE_STREAM_ID, command, this.meta(envelope));
    if (step.rejection) return this.reject(envelope, step.rejection);
    const status = maintenanceStatusAt((await this.maintenance.load(MAINTENANCE_STREAM_ID)).state, now);
    return accepted(envelope, status.active ? { on: true, until: status.until, message: status.message } : { on: false });
  }

  // ------------------------------------------------------------------ queries

  /** From the read model (eventually consistent): a just-registered phone may take a moment to appear. */
  async findUserByPhone(envelope: CommandEnvelope<PayloadOf<typeof identityContract.findUserByPhone>>): Promise<CommandResult> {
    const phone = this.phone(envelope.payload.phone);
    const view = await this.readModel.findByPhoneHash(phone.candidates);
    if (view === undefined) return rejected(envelope, IdentityErrorCode.USER_NOT_FOUND, 'no wallet is registered with this phone number');
    return accepted(envelope, { ...view });
  }

  // ------------------------------------------------------------------ helpers

  private now(): Date {
    return this.config.clock.now();
  }

  private meta(envelope: CommandEnvelope): CommandMetadata {
    return { commandId: envelope.commandId, correlationId: envelope.correlationId, actor: envelope.actor, occurredAt: envelope.occurredAt };
  }

  private reject(envelope: CommandEnvelope, rejection: DomainRejection): CommandResult {
    return rejected(envelope, rejection.code, rejection.message, rejection.details);
  }

  private registered(envelope: CommandEnvelope, user: RegisteredUser): CommandResult {
    return accepted(envelope, { userId: user.userId, maskedPhone: user.maskedPhone, identityLevel: user.identityLevel, registeredAt: user.registeredAt });
  }

  /** Decides, appends what was decided, and derives the rejection that recorded failures stand for. */
  private async step<Command, Event extends IdentityEvent, State>(
    handler: DeciderHandler<Command, Event, State>,
    stream: string,
    command: Command,
    meta: CommandMetadata,
  ): Promise<StepOutcome<Event>> {
    const outcome = await handler.handle(stream, command, meta);
    if (outcome.kind === 'rejected') return { events: [], rejection: outcome.rejection, duplicate: false };
    return { events: outcome.events, rejection: recordedRejection(outcome.events), duplicate: outcome.duplicate };
  }

  /** A rejection the user decider would answer without recording anything, or undefined. */
  private dryRun(command: UserCommand, state: UserState): IdentityRejection | undefined {
    const outcome = outcomeOf(this.userDecider.decide(command, state));
    return outcome.events.length === 0 ? outcome.rejection : undefined;
  }

  /** The phone a command carries (encrypted for identity: it never travels in clear), normalized, with its fingerprints. */
  private phone(ciphertext: string): { phone: string; phoneHash: string; masked: string; candidates: string[] } {
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
      // After a pepper-key rotation a phone registered under the old key has the old fingerprint.
      candidates: fingerprintCandidates(HASH_PURPOSE.phone, phone, this.config.pepperKeyring),
    };
  }

  /** The registered user holding one of these phone fingerprints, from the authoritative reservation streams. */
  private async registeredUser(candidates: readonly string[]): Promise<RegisteredUser | undefined> {
    for (const candidate of candidates) {
      const reservation = (await this.phones.load(phoneReservationStreamId(candidate))).state;
      if (reservation.kind !== 'reserved') continue;
      const user = await this.userState(reservation.userId);
      if (user !== undefined) return user;
    }
    return undefined;
  }

  /** Whether another registration holds (or is completing) this phone. */
  private async reservedByOther(candidates: readonly string[], userId: string): Promise<boolean> {
    for (const candidate of candidates) {
      const reservation = (await this.phones.load(phoneReservationStreamId(candidate))).state;
      if (reservation.kind === 'reserved' && reservation.userId !== userId) return true;
    }
    return false;
  }

  private async userState(userId: string): Promise<RegisteredUser | undefined> {
    const { state } = await this.users.load(userStreamId(userId));
    return state.status === 'registered' ? state : undefined;
  }

  /** A secret field of a command, decrypted in memory (InvalidInput when it cannot be); the staff login uses it too. */
  open(token: string, field: SecretField): string {
    try {
      return openField(token, { keyring: this.config.fieldKeyring, opening: this.config.sealOpeningKeys }, secretAad(field));
    } catch (error) {
      if (error instanceof FieldDecryptionError) throw new InvalidInput(field, `${field} cannot be decrypted (${error.reason})`);
      throw error;
    }
  }

  private openOptional(token: string | undefined, field: SecretField): string | undefined {
    return token === undefined ? undefined : this.open(token, field);
  }

  private requireSelf(envelope: CommandEnvelope, userId: string): void {
    const actor = parseActor(envelope.actor);
    if (actor.kind !== 'user' || actor.id !== userId) throw new ForbiddenActor('only the user may do this for their own account');
  }

  private paymentPasswordMatches(state: UserState, password: string): boolean {
    if (state.status !== 'registered' || state.paymentPassword.kind !== 'set') return false;
    return paymentPasswordMatchesHash(state.userId, password, state.paymentPassword.hash, this.config.pepperKeyring);
  }

  /** The TOTP check's outcome, or undefined when no code was given or the factor is off (the decider then asks for one if needed). */
  private secondFactorValid(user: RegisteredUser, code: string | undefined, now: Date): boolean | undefined {
    if (code === undefined || user.secondFactor.kind !== 'enabled') return undefined;
    const secret = decryptField(user.secondFactor.secretCiphertext, this.config.fieldKeyring, totpAad(user.userId));
    return verifyTotp(base32Decode(secret), code, now.getTime()).valid;
  }

  /** Whether `code` is the phone's current, unexpired code for `purpose`, without using it up. */
  private async codeWouldPass(phoneHash: string, purpose: VerificationPurpose, code: string, now: Date): Promise<boolean> {
    const { state } = await this.codes.load(verificationCodeStreamId(phoneHash));
    const slot = state.kind === 'tracked' ? state.slots[purpose] : undefined;
    if (slot?.status !== 'active' || Date.parse(slot.expiresAt) <= now.getTime()) return false;
    return verifyVerificationCode(phoneHash, purpose, slot.codeId, code, slot.codeHash, this.config.pepperKeyring);
  }

  private async consumeCode(phoneHash: string, purpose: VerificationPurpose, code: string, meta: CommandMetadata): Promise<{ proof: CodeProof; rejection?: undefined } | { proof?: undefined; rejection: DomainRejection }> {
    const now = this.now();
    const step = await this.step(
      this.codes,
      verificationCodeStreamId(phoneHash),
      {
        type: 'Resolve',
        resolve: (state) => {
          const slot = state.kind === 'tracked' ? state.slots[purpose] : undefined;
          const matches = slot?.status === 'active' && verifyVerificationCode(phoneHash, purpose, slot.codeId, code, slot.codeHash, this.config.pepperKeyring);
          return { type: 'ConsumeVerificationCode', phoneHash, purpose, matches, now };
        },
      },
      meta,
    );
    if (step.rejection) return { rejection: step.rejection };
    const consumed = step.events.find((event) => event.type === IdentityEventType.VerificationCodeConsumed);
    if (consumed?.type !== IdentityEventType.VerificationCodeConsumed) throw new Error('code accepted without VerificationCodeConsumed');
    return { proof: codeProofFrom(consumed) };
  }

  /** The argon2 hash checked for an account that does not exist, so that costs what a wrong password costs (the staff login uses it too). */
  dummyHash(): Promise<string> {
    this.dummyLoginHash ??= hashLoginPassword(generateId(), this.config.argon2);
    return this.dummyLoginHash;
  }
}

function idNumberAad(userId: string): string {
  return `identity.user.idNumber:${userId}`;
}

function totpAad(userId: string): string {
  return `identity.user.totpSecret:${userId}`;
}

const PURPOSE_TEXT: Readonly<Record<VerificationPurpose, string>> = {
  registration: '注册验证码 (registration code)',
  payment_password_reset: '重置支付密码验证码 (payment password reset code)',
  login_step_up: '新设备登录验证码 (new device login code)',
  unfreeze: '解冻验证码 (unfreeze code)',
};

function smsText(purpose: VerificationPurpose, code: string, ttlMs: number): string {
  return `【工银e钱包】您的${PURPOSE_TEXT[purpose]}: ${code}, ${Math.round(ttlMs / 60_000)} 分钟内有效, 请勿告诉他人。`;
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { TRANSPORT_ERROR, cardsContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { FieldDecryptionError, HASH_PURPOSE, fingerprint as keyedFingerprint, openField } from '@ledger/crypto';
import {
  CARDS_ERROR,
  CARDS_EVENT,
  CardIssuerUnavailable,
  InvalidCardsCommand,
  bindPrecheck,
  cardFingerprintDecider,
  cardFingerprintStreamId,
  checkCardNumber,
  createUserCardsDecider,
  findCard,
  issuerStatusRejection,
  maskCardNumber,
  maskHolderName,
  normalizeCardNumber,
  userCardsStreamId,
  type BindCard,
  type BoundCard,
  type CardFingerprintCommand,
  type CardFingerprintEvent,
  type CardFingerprintState,
  type CardIssuer,
  type FingerprintReleaseReason,
  type UserCardsCommand,
  type UserCardsDecider,
  type UserCardsEvent,
  type UserCardsState,
} from '@ledger/cards-domain';
import { DeciderHandler, EVENT_STORE, type CommandMetadata, type EventStore } from '@ledger/event-store';
import { accepted, rejected, type CommandEnvelope } from '@ledger/messaging';
import { isRejection, reject, type DomainRejection } from '@ledger/util';
import { CARDS_CONFIG, type CardsConfig } from './config';
import { actorMayActFor, parseActor } from './infra/actor';
import { cardsCodec } from './infra/event-codec';
import { cardIdFor, derivedId } from './infra/ids';
import { PaymentPasswordVerifier } from './infra/payment-password-verifier';
import { CardsReadModel } from './infra/read-model';

/** Injection token of the `CardIssuer` adapter (the in-process `SimulatedCardIssuer` locally). */
export const CARD_ISSUER = Symbol('CARD_ISSUER');

/** Codes the service answers besides the domain's `CARDS_ERROR` and identity's passed-through codes. */
export const CARDS_SERVICE_ERROR = {
  /** A field the service cannot use: an encrypted card number that does not open, a blank holder name. details.field */
  INVALID_INPUT: 'INVALID_INPUT',
  /** The issuer did not answer (details.failure: timeout | unavailable). Nothing was stored; retry. */
  ISSUER_UNAVAILABLE: 'ISSUER_UNAVAILABLE',
  /** Identity did not answer the payment-password check in time. Nothing was unbound; retry. */
  IDENTITY_UNAVAILABLE: 'IDENTITY_UNAVAILABLE',
  /** Another binding of this card is between its two steps right now. details.retryAfterMs */
  CARD_BINDING_IN_PROGRESS: 'CARD_BINDING_IN_PROGRESS',
} as const;

/** Bound on how often one binding frees an abandoned reservation and tries again. */
const MAX_RESERVATION_ATTEMPTS = 3;

/** The caller's actor may not act on these cards; answered as NOT_CARD_OWNER. */
class NotCardOwner extends Error {
  constructor() {
    super('only the owner of a card can act on it');
    this.name = 'NotCardOwner';
  }
}

/** Input the service cannot use; answered as INVALID_INPUT. The message never repeats the value. */
class InvalidInput extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidInput';
  }
}

type Envelope<C extends (typeof cardsContract.COMMANDS)[number]> = CommandEnvelope<PayloadOf<C>>;

/**
 * The cards service's use cases: each turns one command envelope into one result. Thin glue around
 * the pure deciders of `@ledger/cards-domain`: open the encrypted card number in memory, check it,
 * ask the issuer, reserve the fingerprint, append through `DeciderHandler`, map the outcome.
 *
 * The full card number lives only in a local variable of `bindCard` for the duration of one call:
 * it is never logged, never put in a command, event, result or table (only the last four digits,
 * the issuer's token and a keyed fingerprint are kept), and errors never quote it.
 */
@Injectable()
export class CardsService {
  private readonly logger = new Logger('cards');
  private readonly userCards: UserCardsDecider;
  private readonly users: DeciderHandler<UserCardsCommand, UserCardsEvent, UserCardsState>;
  private readonly fingerprints: DeciderHandler<CardFingerprintCommand, CardFingerprintEvent, CardFingerprintState>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CARDS_CONFIG) private readonly config: CardsConfig,
    @Inject(CARD_ISSUER) private readonly issuer: CardIssuer,
    private readonly verifier: PaymentPasswordVerifier,
    private readonly readModel: CardsReadModel,
  ) {
    this.userCards = createUserCardsDecider({ maxCardsPerUser: config.maxCardsPerUser });
    this.users = new DeciderHandler({ store, decider: this.userCards, codec: cardsCodec<UserCardsEvent>() });
    this.fingerprints = new DeciderHandler({ store, decider: cardFingerprintDecider, codec: cardsCodec<CardFingerprintEvent>() });
  }

  /**
   * Runs one use case and maps the service's own exceptions to rejections: NOT_CARD_OWNER (wrong
   * actor), INVALID_INPUT (including a decider's `InvalidCardsCommand`) and ISSUER_UNAVAILABLE.
   * Anything else is an infrastructure fault and propagates, so the transport retries it a bounded
   * number of times. One log line per command, without its payload.
   */
  async execute(envelope: CommandEnvelope, work: () => Promise<CommandResult>): Promise<CommandResult> {
    let result: CommandResult;
    try {
      result = await work();
    } catch (error) {
      if (error instanceof NotCardOwner) result = rejected(envelope, CARDS_ERROR.NOT_CARD_OWNER, error.message);
      else if (error instanceof InvalidInput) result = rejected(envelope, CARDS_SERVICE_ERROR.INVALID_INPUT, error.message, { field: error.field });
      else if (error instanceof InvalidCardsCommand) result = rejected(envelope, CARDS_SERVICE_ERROR.INVALID_INPUT, error.message);
      else if (error instanceof CardIssuerUnavailable)
        result = rejected(envelope, CARDS_SERVICE_ERROR.ISSUER_UNAVAILABLE, 'the card issuer did not answer; nothing was changed, please retry', {
          failure: error.failure,
          operation: error.operation,
        });
      else throw error;
    }
    this.logger.log(`${envelope.type} ${envelope.commandId} ${result.status}${result.status === 'rejected' ? ` ${result.code}` : ''} actor=${envelope.actor}`);
    return result;
  }

  // ------------------------------------------------------------------ BindCard

  /**
   * 1. actor = the user; a re-delivered command whose card is already bound answers as before;
   * 2. the number is decrypted in memory, checked (Luhn, length, ICBC BIN) and fingerprinted;
   * 3. pre-checks on the user's cards (already bound by this user, too many cards);
   * 4. the issuer verifies card, holder name and reserved phone (before any uniqueness answer, so
   *    nobody can probe which numbers are bound without knowing the holder's name and phone);
   * 5. a dry run of the decider turns the issuer's refusals into codes before anything is stored;
   * 6. the fingerprint is reserved (`cardfp-<fp>`, "no stream" or the exact revision): of
   *    concurrent bindings of one card exactly one wins;
   * 7. CardBound (+ DefaultCardChanged for the first card) is appended to `cards-<userId>`; if that
   *    is refused (a concurrent binding took the last slot) the reservation is released again.
   * A crash between 6 and 7 leaves a reservation without a card: a re-delivery (same command id,
   * same card id) completes it, and any later binding of the card frees it once it is older than
   * `orphanReservationTtlMs` (see `reserve`).
   */
  async bindCard(envelope: Envelope<typeof cardsContract.bindCard>): Promise<CommandResult> {
    const { userId } = envelope.payload;
    this.requireActor(envelope, userId, []);
    const now = this.config.clock.now();
    const meta = this.meta(envelope, now);
    const stream = userCardsStreamId(userId);
    const cardId = cardIdFor(envelope.commandId);

    const loaded = await this.users.load(stream);
    const alreadyDone = findCard(loaded.state, cardId);
    if (alreadyDone !== undefined) return accepted(envelope, this.cardData(loaded.state, alreadyDone));

    const holderName = this.open(envelope.payload.holderName, 'holderName');
    const reservedPhone = this.open(envelope.payload.reservedPhone, 'reservedPhone');
    if (holderName.trim() === '' || holderName.length > 100) throw new InvalidInput('holderName', 'a holder name of 1 to 100 characters is required');
    const cardNumber = this.open(envelope.payload.cardNumber, 'cardNumber');
    const numberCheck = checkCardNumber(cardNumber, this.config.binTable);
    const fingerprint = keyedFingerprint(HASH_PURPOSE.card, normalizeCardNumber(cardNumber), this.config.pepperKeyring);

    const early = bindPrecheck(loaded.state, { userId, actorUserId: userId, fingerprint, numberCheck }, this.userCards.maxCardsPerUser);
    if (early !== undefined) return this.reject(envelope, early);

    const verification = await this.issuer.verifyCard({ cardNumber, holderName, reservedPhone });
    const bind: BindCard = { type: 'BindCard', userId, actorUserId: userId, cardId, fingerprint, numberCheck, verification, holderNameMasked: maskHolderName(holderName), now };
    const dryRun = this.userCards.decide(bind, loaded.state);
    if (isRejection(dryRun)) return this.reject(envelope, dryRun);

    const notReserved = await this.reserve(fingerprint, userId, cardId, meta, now);
    if (notReserved !== undefined) return this.reject(envelope, notReserved);

    const outcome = await this.users.handle(stream, bind, meta);
    if (outcome.kind === 'rejected') {
      await this.releaseFingerprint(fingerprint, userId, cardId, 'bind_abandoned', { ...meta, commandId: derivedId(envelope.commandId, 'release') }, now);
      return this.reject(envelope, outcome.rejection);
    }
    const state = (await this.users.load(stream)).state;
    const card = findCard(state, cardId);
    if (card === undefined) throw new Error(`card ${cardId} accepted but not in the stream`);
    return accepted(envelope, this.cardData(state, card));
  }

  /**
   * Reserves the fingerprint for (userId, cardId). Undefined when reserved; otherwise the answer:
   * CARD_ALREADY_BOUND / CARD_BOUND_TO_ANOTHER_USER when the holder has the card bound, or when
   * another user's young reservation has no card yet (that binding is between its two appends);
   * CARD_BINDING_IN_PROGRESS when it is this user's own young reservation under another card id. An old reservation without a card was abandoned by a crash (or an unbind whose
   * release was lost): it is released (`bind_abandoned`) and the reservation tried again, bounded.
   */
  private async reserve(fingerprint: string, userId: string, cardId: string, meta: CommandMetadata, now: Date): Promise<DomainRejection | undefined> {
    const stream = cardFingerprintStreamId(fingerprint);
    for (let attempt = 1; attempt <= MAX_RESERVATION_ATTEMPTS; attempt += 1) {
      const outcome = await this.fingerprints.handle(stream, { type: 'ReserveCardFingerprint', fingerprint, userId, cardId, now }, meta);
      if (outcome.kind === 'accepted') return undefined;
      const holder = (await this.fingerprints.load(stream)).state;
      if (holder.kind !== 'reserved') continue; // released in the meantime: try again
      const holderCards = (await this.users.load(userCardsStreamId(holder.userId))).state;
      if (findCard(holderCards, holder.cardId)?.fingerprint === fingerprint) return outcome.rejection;
      const ageMs = now.getTime() - Date.parse(holder.reservedAt);
      if (ageMs < this.config.orphanReservationTtlMs) {
        // Another user's binding in flight has won the card: to this caller it is bound to someone else.
        if (holder.userId !== userId) return outcome.rejection;
        // The user's own other binding is between its two appends (or crashed moments ago).
        return reject(CARDS_SERVICE_ERROR.CARD_BINDING_IN_PROGRESS, 'this card is being bound right now; try again shortly', {
          retryAfterMs: Math.max(1_000, this.config.orphanReservationTtlMs - ageMs),
        });
      }
      this.logger.warn(`releasing the abandoned reservation of card ${holder.cardId} (user ${holder.userId}, reserved ${holder.reservedAt})`);
      await this.releaseFingerprint(fingerprint, holder.userId, holder.cardId, 'bind_abandoned', { ...meta, commandId: derivedId(meta.commandId, `release-abandoned-${attempt}`) }, now);
    }
    return reject(CARDS_SERVICE_ERROR.CARD_BINDING_IN_PROGRESS, 'this card is being bound right now; try again shortly', { retryAfterMs: 1_000 });
  }

  /** A stale release (someone else holds the card now) changes nothing, so this is always safe. */
  private async releaseFingerprint(fingerprint: string, userId: string, cardId: string, reason: FingerprintReleaseReason, meta: CommandMetadata, now: Date): Promise<void> {
    await this.fingerprints.handle(cardFingerprintStreamId(fingerprint), { type: 'ReleaseCardFingerprint', fingerprint, userId, cardId, reason, now }, meta);
  }

  // ------------------------------------------------------------------ UnbindCard

  /**
   * The owner only. CARD_NOT_FOUND is answered before the password is checked (no attempt is
   * spent on a card that is not there). Identity verifies the payment password (purpose
   * `unbind_card`); its rejection is answered unchanged (WRONG_PAYMENT_PASSWORD with attemptsLeft,
   * PAYMENT_PASSWORD_LOCKED with lockedUntil, ACCOUNT_FROZEN, …), no answer is IDENTITY_UNAVAILABLE.
   * Then CardUnbound (+ DefaultCardChanged when the default moves) and the fingerprint release.
   */
  async unbindCard(envelope: Envelope<typeof cardsContract.unbindCard>): Promise<CommandResult> {
    const { userId, cardId } = envelope.payload;
    this.requireActor(envelope, userId, []);
    const now = this.config.clock.now();
    const meta = this.meta(envelope, now);
    const stream = userCardsStreamId(userId);

    const loaded = await this.users.load(stream);
    // A re-delivered command that already unbound skips the checks: the handler returns its original events.
    if (!loaded.commands.has(envelope.commandId)) {
      if (findCard(loaded.state, cardId) === undefined) return rejected(envelope, CARDS_ERROR.CARD_NOT_FOUND, 'no such bound card', { cardId });
      const verified = await this.verifier.verify({
        userId,
        encryptedPaymentPassword: envelope.payload.paymentPassword,
        commandId: derivedId(envelope.commandId, 'verify-payment-password'),
        correlationId: envelope.correlationId,
        causationId: envelope.commandId,
      });
      if (verified.status === 'rejected') {
        if (verified.code === TRANSPORT_ERROR.TIMEOUT) return rejected(envelope, CARDS_SERVICE_ERROR.IDENTITY_UNAVAILABLE, 'the payment password could not be checked right now; nothing was changed, please retry');
        return rejected(envelope, verified.code, verified.message, verified.details);
      }
    }

    const walletOpen = await this.readModel.isWalletOpen(userId);
    const outcome = await this.users.handle(stream, { type: 'UnbindCard', userId, actorUserId: userId, cardId, paymentPasswordVerified: true, walletOpen, now }, meta);
    if (outcome.kind === 'rejected') return this.reject(envelope, outcome.rejection);
    const unbound = outcome.events.find((event) => event.type === CARDS_EVENT.CardUnbound);
    if (unbound?.type !== CARDS_EVENT.CardUnbound) throw new Error('unbind accepted without CardUnbound');
    await this.releaseFingerprint(unbound.data.fingerprint, userId, cardId, 'card_unbound', meta, now);
    const state = (await this.users.load(stream)).state;
    return accepted(envelope, {
      userId,
      cardId,
      remainingCards: unbound.data.remainingCards,
      lastCardOfOpenWallet: unbound.data.lastCardOfOpenWallet,
      defaultCardId: state.kind === 'holding' ? state.defaultCardId : null,
    });
  }

  // ------------------------------------------------------------------ SetDefaultCard

  /** The owner only. NOT_CARD_OWNER, CARD_NOT_FOUND, CARD_SUSPENDED; choosing the current default is accepted without events. */
  async setDefaultCard(envelope: Envelope<typeof cardsContract.setDefaultCard>): Promise<CommandResult> {
    const { userId, cardId } = envelope.payload;
    this.requireActor(envelope, userId, []);
    const now = this.config.clock.now();
    const stream = userCardsStreamId(userId);
    const outcome = await this.users.handle(stream, { type: 'SetDefaultCard', userId, actorUserId: userId, cardId, now }, this.meta(envelope, now));
    if (outcome.kind === 'rejected') return this.reject(envelope, outcome.rejection);
    return accepted(envelope, { userId, defaultCardId: cardId });
  }

  // ------------------------------------------------------------------ ListCards

  /** The owner, support or an internal system. NOT_CARD_OWNER. Masked numbers only, from the read model. */
  async listCards(envelope: Envelope<typeof cardsContract.listCards>): Promise<CommandResult> {
    const { userId } = envelope.payload;
    this.requireActor(envelope, userId, ['support', 'system']);
    const cards = await this.readModel.list(userId);
    return accepted(envelope, { userId, defaultCardId: cards.find((card) => card.isDefault)?.cardId ?? null, cards });
  }

  // ------------------------------------------------------------------ CheckCard

  /**
   * An internal system (payments) or the owner. NOT_CARD_OWNER, CARD_NOT_FOUND, CARD_EXPIRED and
   * CARD_BLOCKED (the card is then suspended: details.suspended), ISSUER_UNAVAILABLE. A suspended
   * card is checked again each time and reinstated when the issuer says it is active.
   */
  async checkCard(envelope: Envelope<typeof cardsContract.checkCard>): Promise<CommandResult> {
    const { cardId } = envelope.payload;
    const userId = envelope.payload.userId ?? (await this.readModel.ownerOf(cardId));
    if (userId === undefined) {
      // Without an owner there is nothing to authorize against; only systems may ask by card id alone.
      if (parseActor(envelope.actor).kind !== 'system') throw new NotCardOwner();
      return rejected(envelope, CARDS_ERROR.CARD_NOT_FOUND, 'no such bound card', { cardId });
    }
    this.requireActor(envelope, userId, ['system']);
    const now = this.config.clock.now();
    const stream = userCardsStreamId(userId);
    const card = findCard((await this.users.load(stream)).state, cardId);
    if (card === undefined) return rejected(envelope, CARDS_ERROR.CARD_NOT_FOUND, 'no such bound card', { cardId });

    const { status } = await this.issuer.checkCard(card.cardToken);
    const outcome = await this.users.handle(stream, { type: 'RecordCardCheck', userId, actorUserId: userId, cardId, issuerStatus: status, now }, this.meta(envelope, now));
    if (outcome.kind === 'rejected') return this.reject(envelope, outcome.rejection);
    const refusal = issuerStatusRejection(status);
    if (refusal !== undefined) return rejected(envelope, refusal.code, refusal.message, { cardId, suspended: true });
    return accepted(envelope, { userId, cardId, status: 'active', cardToken: card.cardToken, last4: card.last4, issuer: card.issuer, cardType: card.cardType });
  }

  // ------------------------------------------------------------------ helpers

  /** Throws NotCardOwner unless the actor is the user, or of a kind allowed for this command. */
  private requireActor(envelope: CommandEnvelope, userId: string, alsoAllowed: ReadonlyArray<'support' | 'system'>): void {
    if (!actorMayActFor(parseActor(envelope.actor), userId, alsoAllowed)) throw new NotCardOwner();
  }

  /** A field the gateway sealed (or a service encrypted) for cards, opened in memory only. Never logged; the error does not quote the token either. */
  private open(token: string, field: cardsContract.SecretField): string {
    try {
      return openField(token, { keyring: this.config.fieldKeyring, opening: this.config.sealOpeningKeys }, cardsContract.secretAad(field));
    } catch (error) {
      if (error instanceof FieldDecryptionError) throw new InvalidInput(field, `the encrypted ${field} could not be opened (${error.reason})`);
      throw error;
    }
  }

  private meta(envelope: CommandEnvelope, now: Date): CommandMetadata {
    return { commandId: envelope.commandId, correlationId: envelope.correlationId, actor: envelope.actor, occurredAt: now.toISOString() };
  }

  private reject(envelope: CommandEnvelope, rejection: DomainRejection): CommandResult {
    return rejected(envelope, rejection.code, rejection.message, rejection.details);
  }

  private cardData(state: UserCardsState, card: BoundCard): Record<string, unknown> {
    return {
      cardId: card.cardId,
      maskedNumber: maskCardNumber(card.last4),
      last4: card.last4,
      issuer: card.issuer,
      cardType: card.cardType,
      status: card.status,
      isDefault: state.kind === 'holding' && state.defaultCardId === card.cardId,
    };
  }
}

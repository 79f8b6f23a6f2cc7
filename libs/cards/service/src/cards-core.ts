import { Logger } from '@nestjs/common';
import { cardsContract, type CommandResult, type PayloadOf, type RejectedResult } from '@ledger/contracts';
import { FieldDecryptionError, openField } from '@ledger/crypto';
import {
  CARDS_ERROR,
  CardIssuerUnavailable,
  InvalidCardsCommand,
  cardFingerprintDecider,
  cardFingerprintStreamId,
  createUserCardsDecider,
  findCard,
  maskCardNumber,
  userCardsStreamId,
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
import { DeciderHandler, commandMetadata, type CommandMetadata, type EventStore } from '@ledger/event-store';
import { InvalidInput, rejected, runUseCase, type CommandEnvelope } from '@ledger/messaging';
import { instantMs, reject, type DomainRejection, type Instant } from '@ledger/util';
import type { CardsConfig } from './config';
import { actorMayActFor, parseActor } from './infra/actor';
import { cardsCodec } from './infra/event-codec';
import { derivedId } from './infra/ids';
import type { PaymentPasswordVerifier } from './infra/payment-password-verifier';
import type { CardsReadModel } from './infra/read-model';

/** Injection token of the `CardIssuer` adapter (the in-process `SimulatedCardIssuer` locally). */
export const CARD_ISSUER = Symbol('CARD_ISSUER');

/** Codes the service answers besides the domain's `CARDS_ERROR` and identity's passed-through codes. */
export const CARDS_SERVICE_ERROR = {
  /** A field the service cannot use: an encrypted card number that does not open, a blank holder name. details.field */
  INVALID_INPUT: 'INVALID_INPUT',
  /** The issuer did not answer (details.failure: timeout | unavailable). Nothing was stored; retry. */
  ISSUER_UNAVAILABLE: 'ISSUER_UNAVAILABLE',
  /** Identity did not answer the payment-password check of an unbinding, or the second-factor check of a binding, in time. Nothing was changed; retry. */
  IDENTITY_UNAVAILABLE: 'IDENTITY_UNAVAILABLE',
  /** Another binding of this card is between its two steps right now. details.retryAfterMs */
  CARD_BINDING_IN_PROGRESS: 'CARD_BINDING_IN_PROGRESS',
} as const;

/** Bound on how often one binding frees an abandoned reservation and tries again. */
const MAX_RESERVATION_ATTEMPTS = 3;

/** The caller's actor may not act on these cards; answered as NOT_CARD_OWNER. */
export class NotCardOwner extends Error {
  constructor() {
    super('only the owner of a card can act on it');
    this.name = 'NotCardOwner';
  }
}

/** The cards service's own refusals, thrown by a use case, as results. */
function refusalOf(envelope: CommandEnvelope, error: unknown): RejectedResult | undefined {
  if (error instanceof NotCardOwner) return rejected(envelope, CARDS_ERROR.NOT_CARD_OWNER, error.message);
  if (error instanceof InvalidCardsCommand) return rejected(envelope, CARDS_SERVICE_ERROR.INVALID_INPUT, error.message);
  if (error instanceof CardIssuerUnavailable) {
    return rejected(envelope, CARDS_SERVICE_ERROR.ISSUER_UNAVAILABLE, 'the card issuer did not answer; nothing was changed, please retry', {
      failure: error.failure,
      operation: error.operation,
    });
  }
  return undefined;
}

export type Envelope<C extends (typeof cardsContract.COMMANDS)[number]> = CommandEnvelope<PayloadOf<C>>;

export interface CardsCoreDeps {
  store: EventStore;
  config: CardsConfig;
  issuer: CardIssuer;
  verifier: PaymentPasswordVerifier;
  readModel: CardsReadModel;
}

/**
 * What every cards use case (one file each under `use-cases/`) works with: the deciders' handlers
 * over the event store, the issuer, identity's password check, the read model, and the steps they
 * share (authorize the actor, open a sealed field, reserve or release a card's fingerprint). Thin
 * glue around the pure deciders of `@ledger/cards-domain`; Nest-free: the module builds one.
 *
 * The full card number lives only in a local variable of `bindCard` for the duration of one call:
 * it is never logged, never put in a command, event, result or table (only the last four digits,
 * the issuer's token and a keyed fingerprint are kept), and errors never quote it.
 */
export class CardsCore {
  private readonly logger = new Logger('cards');
  readonly config: CardsConfig;
  readonly issuer: CardIssuer;
  readonly verifier: PaymentPasswordVerifier;
  readonly readModel: CardsReadModel;
  readonly userCards: UserCardsDecider;
  readonly users: DeciderHandler<UserCardsCommand, UserCardsEvent, UserCardsState>;
  readonly fingerprints: DeciderHandler<CardFingerprintCommand, CardFingerprintEvent, CardFingerprintState>;

  constructor({ store, config, issuer, verifier, readModel }: CardsCoreDeps) {
    this.config = config;
    this.issuer = issuer;
    this.verifier = verifier;
    this.readModel = readModel;
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
  execute(envelope: CommandEnvelope, work: () => Promise<CommandResult>): Promise<CommandResult> {
    return runUseCase(
      envelope,
      work,
      (error) => refusalOf(envelope, error),
      (line) => this.logger.log(line),
    );
  }

  /**
   * Reserves the fingerprint for (userId, cardId). Undefined when reserved; otherwise the answer:
   * CARD_ALREADY_BOUND / CARD_BOUND_TO_ANOTHER_USER when the holder has the card bound, or when
   * another user's young reservation has no card yet (that binding is between its two appends);
   * CARD_BINDING_IN_PROGRESS when it is this user's own young reservation under another card id. An old reservation without a card was abandoned by a crash (or an unbind whose
   * release was lost): it is released (`bind_abandoned`) and the reservation tried again, bounded.
   */
  async reserve(
    fingerprint: string,
    userId: string,
    cardId: string,
    meta: CommandMetadata,
    now: Instant,
  ): Promise<DomainRejection | undefined> {
    const stream = cardFingerprintStreamId(fingerprint);
    for (let attempt = 1; attempt <= MAX_RESERVATION_ATTEMPTS; attempt += 1) {
      const outcome = await this.fingerprints.handle(stream, { type: 'ReserveCardFingerprint', fingerprint, userId, cardId, now }, meta);
      if (outcome.kind === 'accepted') return undefined;
      const holder = (await this.fingerprints.load(stream)).state;
      if (holder.kind !== 'reserved') continue; // released in the meantime: try again
      const holderCards = (await this.users.load(userCardsStreamId(holder.userId))).state;
      if (findCard(holderCards, holder.cardId)?.fingerprint === fingerprint) return outcome.rejection;
      const ageMs = instantMs(now) - instantMs(holder.reservedAt);
      if (ageMs < this.config.orphanReservationTtlMs) {
        // Another user's binding in flight has won the card: to this caller it is bound to someone else.
        if (holder.userId !== userId) return outcome.rejection;
        // The user's own other binding is between its two appends (or crashed moments ago).
        return reject(CARDS_SERVICE_ERROR.CARD_BINDING_IN_PROGRESS, 'this card is being bound right now; try again shortly', {
          retryAfterMs: Math.max(1_000, this.config.orphanReservationTtlMs - ageMs),
        });
      }
      this.logger.warn(
        `releasing the abandoned reservation of card ${holder.cardId} (user ${holder.userId}, reserved ${holder.reservedAt})`,
      );
      await this.releaseFingerprint(
        fingerprint,
        holder.userId,
        holder.cardId,
        'bind_abandoned',
        { ...meta, commandId: derivedId(meta.commandId, `release-abandoned-${attempt}`) },
        now,
      );
    }
    return reject(CARDS_SERVICE_ERROR.CARD_BINDING_IN_PROGRESS, 'this card is being bound right now; try again shortly', {
      retryAfterMs: 1_000,
    });
  }

  /** A stale release (someone else holds the card now) changes nothing, so this is always safe. */
  async releaseFingerprint(
    fingerprint: string,
    userId: string,
    cardId: string,
    reason: FingerprintReleaseReason,
    meta: CommandMetadata,
    now: Instant,
  ): Promise<void> {
    await this.fingerprints.handle(
      cardFingerprintStreamId(fingerprint),
      { type: 'ReleaseCardFingerprint', fingerprint, userId, cardId, reason, now },
      meta,
    );
  }

  /** Throws NotCardOwner unless the actor is the user, or of a kind allowed for this command. */
  requireActor(envelope: CommandEnvelope, userId: string, alsoAllowed: ReadonlyArray<'support' | 'system'>): void {
    if (!actorMayActFor(parseActor(envelope.actor), userId, alsoAllowed)) throw new NotCardOwner();
  }

  /** A field the gateway sealed (or a service encrypted) for cards, opened in memory only. Never logged; the error does not quote the token either. */
  open(token: string, field: cardsContract.SecretField): string {
    try {
      return openField(token, { keyring: this.config.fieldKeyring, opening: this.config.sealOpeningKeys }, cardsContract.secretAad(field));
    } catch (error) {
      if (error instanceof FieldDecryptionError)
        throw new InvalidInput(field, `the encrypted ${field} could not be opened (${error.reason})`);
      throw error;
    }
  }

  meta(envelope: CommandEnvelope, now: Instant): CommandMetadata {
    return commandMetadata(envelope, now);
  }

  cardData(state: UserCardsState, card: BoundCard): Record<string, unknown> {
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

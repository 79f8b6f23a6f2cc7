/**
 * A user's bound cards as one aggregate, stream `cards-<userId>`: binding, unbinding, the default
 * card and suspension after an issuer check. One stream per user (not per card) because the rules
 * span the user's cards: at most N cards, one default, the same card never twice, and "was this the
 * last card". Its expected revision also settles two concurrent bindings by the same user.
 *
 * The default card: `DefaultCardChanged` is the only event that *sets* the default (CardBound
 * carries no flag). The default is always an active card: when the default card is unbound or
 * suspended, `evolve` clears it and the decider adds a `DefaultCardChanged` to the earliest-bound
 * other active card, if there is one. A card bound or reinstated while there is no default becomes
 * the default. Hence: at most one default, and exactly one whenever an active card exists.
 */
import { assertNever, isRejection, reject, type Decider, type Instant } from '@ledger/util';
import type { CardType, IssuerName } from './bin-table';
import type { CardVerification, IssuerCardStatus } from './card-issuer';
import { cardNumberRejection, maskCardNumber, type CardNumberCheck } from './card-number';
import { CARDS_ERROR, InvalidCardsCommand, type CardsRejection } from './codes';
import type { BindCard, RecordCardCheck, SetDefaultCard, UnbindCard, UserCardsCommand } from './commands';
import { CARDS_EVENT, type DefaultCardChangeReason, type DefaultCardChanged, type UserCardsEvent } from './events';
import { instant, requireFingerprint, requireId, requireNoCardNumber } from './guards';
import { evolveUserCards, type BoundCard, type CardStatus, type UserCardsState } from './user-cards-state';

export * from './user-cards-state';

/** Bound cards per user unless configured otherwise. */
export const DEFAULT_MAX_CARDS_PER_USER = 10;

export const USER_CARDS_STREAM_PREFIX = 'cards-';

export function userCardsStreamId(userId: string): string {
  return `${USER_CARDS_STREAM_PREFIX}${requireId(userId, 'userId')}`;
}

export interface UserCardsOptions {
  readonly maxCardsPerUser?: number;
}

export interface UserCardsDecider extends Decider<UserCardsCommand, UserCardsEvent, UserCardsState, CardsRejection> {
  readonly maxCardsPerUser: number;
}

// ---------------------------------------------------------------- queries (for the service and for payments)

export function boundCards(state: UserCardsState): readonly BoundCard[] {
  return state.kind === 'holding' ? state.cards : [];
}

export function findCard(state: UserCardsState, cardId: string): BoundCard | undefined {
  return boundCards(state).find((card) => card.cardId === cardId);
}

export function defaultCard(state: UserCardsState): BoundCard | undefined {
  return state.kind === 'holding' && state.defaultCardId !== null ? findCard(state, state.defaultCardId) : undefined;
}

/** A card as the user sees it in a list: masked number only. */
export interface CardView {
  readonly cardId: string;
  readonly maskedNumber: string;
  readonly last4: string;
  readonly issuer: IssuerName;
  readonly cardType: CardType;
  readonly holderNameMasked: string;
  readonly status: CardStatus;
  readonly isDefault: boolean;
}

export function listCards(state: UserCardsState): CardView[] {
  const defaultId = state.kind === 'holding' ? state.defaultCardId : null;
  return boundCards(state).map((card) => ({
    cardId: card.cardId,
    maskedNumber: maskCardNumber(card.last4),
    last4: card.last4,
    issuer: card.issuer,
    cardType: card.cardType,
    holderNameMasked: card.holderNameMasked,
    status: card.status,
    isDefault: card.cardId === defaultId,
  }));
}

/** NOT_CARD_OWNER when someone other than the owner acts. Checked first on every command, so a stranger learns nothing about the cards. */
export function ownerRejection(userId: string, actorUserId: string): CardsRejection | undefined {
  return userId === actorUserId ? undefined : reject(CARDS_ERROR.NOT_CARD_OWNER, 'only the owner of a card can act on it');
}

/**
 * The card a payment may charge or pay out to (docs/spec.md item 11), or why not: NOT_CARD_OWNER,
 * CARD_NOT_FOUND, CARD_SUSPENDED. The issuer is asked afterwards (CheckCard).
 */
export function cardForUse(
  state: UserCardsState,
  request: { userId: string; actorUserId: string; cardId: string },
): BoundCard | CardsRejection {
  const notOwner = ownerRejection(request.userId, request.actorUserId);
  if (notOwner !== undefined) return notOwner;
  const card = findCard(state, request.cardId);
  if (card === undefined) return cardNotFound(request.cardId);
  if (card.status === 'suspended') return cardSuspended(card);
  return card;
}

/** How a CheckCard is answered: CARD_EXPIRED or CARD_BLOCKED, undefined when active. */
export function issuerStatusRejection(status: IssuerCardStatus): CardsRejection | undefined {
  switch (status) {
    case 'active':
      return undefined;
    case 'expired':
      return reject(CARDS_ERROR.CARD_EXPIRED, 'the bank says this card has expired');
    case 'blocked':
      return reject(CARDS_ERROR.CARD_BLOCKED, 'the bank says this card is blocked');
    default:
      return assertNever(status, 'issuer card status');
  }
}

/** How the issuer's answer to a verification is answered; undefined when the card is valid. */
export function verificationRejection(verification: CardVerification): CardsRejection | undefined {
  switch (verification.outcome) {
    case 'valid':
      return undefined;
    case 'expired':
      return reject(CARDS_ERROR.CARD_EXPIRED, 'the bank says this card has expired');
    case 'blocked':
      return reject(CARDS_ERROR.CARD_BLOCKED, 'the bank says this card is blocked');
    case 'holder_mismatch':
      return reject(CARDS_ERROR.CARD_HOLDER_MISMATCH, 'the name does not match the card holder');
    case 'phone_mismatch':
      return reject(CARDS_ERROR.RESERVED_PHONE_MISMATCH, 'the phone number is not the one reserved with the bank for this card');
    case 'unknown_card':
      // Luhn and BIN passed, but the bank has no such card: to the user that is a wrong number.
      return reject(CARDS_ERROR.INVALID_CARD_NUMBER, 'the bank does not know this card number', { reason: 'unknown_card' });
    default:
      return assertNever(verification, 'card verification');
  }
}

/**
 * Everything that can be decided about a binding before the issuer is asked: NOT_CARD_OWNER,
 * INVALID_CARD_NUMBER, CARD_NOT_SUPPORTED, CARD_ALREADY_BOUND, TOO_MANY_CARDS. The service runs it
 * first (so a doomed binding never reaches the bank); `decide` runs it again on the state it appends to.
 */
export function bindPrecheck(
  state: UserCardsState,
  request: { userId: string; actorUserId: string; fingerprint: string; numberCheck: CardNumberCheck },
  maxCardsPerUser: number = DEFAULT_MAX_CARDS_PER_USER,
): CardsRejection | undefined {
  const notOwner = ownerRejection(request.userId, request.actorUserId);
  if (notOwner !== undefined) return notOwner;
  const numberProblem = cardNumberRejection(request.numberCheck);
  if (numberProblem !== undefined) return numberProblem;
  const cards = boundCards(state);
  const same = cards.find((card) => card.fingerprint === request.fingerprint);
  if (same !== undefined) return reject(CARDS_ERROR.CARD_ALREADY_BOUND, 'you have already bound this card', { cardId: same.cardId });
  if (cards.length >= maxCardsPerUser)
    return reject(CARDS_ERROR.TOO_MANY_CARDS, `at most ${maxCardsPerUser} cards can be bound`, { maxCards: maxCardsPerUser });
  return undefined;
}

// ---------------------------------------------------------------- decider

const EXPIRES_ON = /^\d{4}-(0[1-9]|1[0-2])$/;

export function createUserCardsDecider(options: UserCardsOptions = {}): UserCardsDecider {
  const maxCardsPerUser = options.maxCardsPerUser ?? DEFAULT_MAX_CARDS_PER_USER;
  if (!Number.isSafeInteger(maxCardsPerUser) || maxCardsPerUser < 1) throw new Error('maxCardsPerUser must be a positive integer');

  function decideBind(command: BindCard, state: UserCardsState): UserCardsEvent[] | CardsRejection {
    requireId(command.cardId, 'cardId');
    requireFingerprint(command.fingerprint);
    const holderNameMasked = requireNoCardNumber(command.holderNameMasked, 'holderNameMasked');
    const boundAt = instant(command.now);
    const precheck = bindPrecheck(state, command, maxCardsPerUser);
    if (precheck !== undefined) return precheck;
    const { numberCheck, verification } = command;
    // bindPrecheck returned nothing, so the number passed; the narrowing is for the compiler.
    if (numberCheck.outcome !== 'valid') throw new InvalidCardsCommand('unreachable: number check not valid');
    if (findCard(state, command.cardId) !== undefined) throw new InvalidCardsCommand(`card id ${command.cardId} is already in use`);
    if (verification === undefined) throw new InvalidCardsCommand('BindCard for a valid number needs the issuer verification');
    const refused = verificationRejection(verification);
    if (refused !== undefined) return refused;
    if (verification.outcome !== 'valid') throw new InvalidCardsCommand('unreachable: verification not valid');
    const cardToken = requireNoCardNumber(verification.cardToken, 'cardToken');
    if (!EXPIRES_ON.test(verification.expiresOn)) throw new InvalidCardsCommand('expiresOn must be YYYY-MM');

    const events: UserCardsEvent[] = [
      {
        type: CARDS_EVENT.CardBound,
        data: {
          userId: command.userId,
          cardId: command.cardId,
          fingerprint: command.fingerprint,
          cardToken,
          last4: numberCheck.last4,
          issuer: numberCheck.issuer,
          // The issuer's word on debit/credit wins over the BIN table, which is only a first guess.
          cardType: verification.cardType,
          holderNameMasked,
          expiresOn: verification.expiresOn,
          boundAt,
        },
      },
    ];
    const currentDefault = state.kind === 'holding' ? state.defaultCardId : null;
    if (currentDefault === null) events.push(defaultChanged(command.userId, command.cardId, null, 'first_card', boundAt));
    return events;
  }

  function decideUnbind(command: UnbindCard, state: UserCardsState): UserCardsEvent[] | CardsRejection {
    if (command.paymentPasswordVerified !== true)
      throw new InvalidCardsCommand('UnbindCard requires a payment password verified by identity');
    if (typeof command.walletOpen !== 'boolean') throw new InvalidCardsCommand('walletOpen must be a boolean');
    const at = instant(command.now);
    const card = ownedCard(state, command);
    if (isRejection(card)) return card;
    const remaining = boundCards(state).filter((other) => other.cardId !== card.cardId);
    const wasDefault = state.kind === 'holding' && state.defaultCardId === card.cardId;
    const events: UserCardsEvent[] = [
      {
        type: CARDS_EVENT.CardUnbound,
        data: {
          userId: command.userId,
          cardId: card.cardId,
          fingerprint: card.fingerprint,
          last4: card.last4,
          wasDefault,
          remainingCards: remaining.length,
          lastCardOfOpenWallet: command.walletOpen && remaining.length === 0,
          unboundAt: at,
        },
      },
    ];
    const successor = wasDefault ? remaining.find((other) => other.status === 'active') : undefined;
    if (successor !== undefined) events.push(defaultChanged(command.userId, successor.cardId, card.cardId, 'default_unbound', at));
    return events;
  }

  function decideSetDefault(command: SetDefaultCard, state: UserCardsState): UserCardsEvent[] | CardsRejection {
    const at = instant(command.now);
    const card = ownedCard(state, command);
    if (isRejection(card)) return card;
    if (card.status === 'suspended') return cardSuspended(card);
    const current = state.kind === 'holding' ? state.defaultCardId : null;
    if (current === card.cardId) return [];
    return [defaultChanged(command.userId, card.cardId, current, 'chosen_by_user', at)];
  }

  function decideRecordCheck(command: RecordCardCheck, state: UserCardsState): UserCardsEvent[] | CardsRejection {
    const at = instant(command.now);
    const card = ownedCard(state, command);
    if (isRejection(card)) return card;
    const current = state.kind === 'holding' ? state.defaultCardId : null;
    switch (command.issuerStatus) {
      case 'active': {
        if (card.status === 'active') return [];
        const events: UserCardsEvent[] = [
          { type: CARDS_EVENT.CardReinstated, data: { userId: command.userId, cardId: card.cardId, reinstatedAt: at } },
        ];
        if (current === null) events.push(defaultChanged(command.userId, card.cardId, null, 'card_reinstated', at));
        return events;
      }
      case 'expired':
      case 'blocked': {
        // Idempotent: a suspended card stays suspended with its first reason; checks repeat often.
        if (card.status === 'suspended') return [];
        const events: UserCardsEvent[] = [
          {
            type: CARDS_EVENT.CardSuspended,
            data: { userId: command.userId, cardId: card.cardId, reason: command.issuerStatus, suspendedAt: at },
          },
        ];
        if (current === card.cardId) {
          const successor = boundCards(state).find((other) => other.cardId !== card.cardId && other.status === 'active');
          if (successor !== undefined) events.push(defaultChanged(command.userId, successor.cardId, card.cardId, 'default_suspended', at));
        }
        return events;
      }
      default:
        return assertNever(command.issuerStatus, 'issuer card status');
    }
  }

  return {
    maxCardsPerUser,
    initialState: () => ({ kind: 'none' }),

    decide(command, state) {
      requireId(command.userId, 'userId');
      requireId(command.actorUserId, 'actorUserId');
      if (state.kind === 'holding' && state.userId !== command.userId)
        throw new InvalidCardsCommand(`command for user ${command.userId} sent to the cards of ${state.userId}`);
      switch (command.type) {
        case 'BindCard':
          return decideBind(command, state);
        case 'UnbindCard':
          return decideUnbind(command, state);
        case 'SetDefaultCard':
          return decideSetDefault(command, state);
        case 'RecordCardCheck':
          return decideRecordCheck(command, state);
        default:
          return assertNever(command, 'user cards command');
      }
    },

    evolve: evolveUserCards,
  };
}

export const userCardsDecider: UserCardsDecider = createUserCardsDecider();

function ownedCard(state: UserCardsState, command: { userId: string; actorUserId: string; cardId: string }): BoundCard | CardsRejection {
  const notOwner = ownerRejection(command.userId, command.actorUserId);
  if (notOwner !== undefined) return notOwner;
  requireId(command.cardId, 'cardId');
  return findCard(state, command.cardId) ?? cardNotFound(command.cardId);
}

function cardNotFound(cardId: string): CardsRejection {
  return reject(CARDS_ERROR.CARD_NOT_FOUND, 'no such bound card', { cardId });
}

function cardSuspended(card: BoundCard): CardsRejection {
  return reject(CARDS_ERROR.CARD_SUSPENDED, 'this card is suspended: the bank reported it expired or blocked', {
    cardId: card.cardId,
    reason: card.suspensionReason,
  });
}

function defaultChanged(
  userId: string,
  cardId: string,
  previousCardId: string | null,
  reason: DefaultCardChangeReason,
  changedAt: Instant,
): DefaultCardChanged {
  return { type: CARDS_EVENT.DefaultCardChanged, data: { userId, cardId, previousCardId, reason, changedAt } };
}

/** What a user's cards aggregate knows (its state) and how each event changes it. */
import { assertNever, type Instant } from '@ledger/util';
import type { CardType, IssuerName } from './bin-table';
import { CARDS_EVENT, type CardSuspensionReason, type UserCardsEvent } from './events';

export type CardStatus = 'active' | 'suspended';

/** What is kept of a card: never its number. */
export interface BoundCard {
  readonly cardId: string;
  readonly fingerprint: string;
  readonly cardToken: string;
  readonly last4: string;
  readonly issuer: IssuerName;
  readonly cardType: CardType;
  readonly holderNameMasked: string;
  readonly expiresOn: string;
  readonly boundAt: Instant;
  readonly status: CardStatus;
  readonly suspensionReason: CardSuspensionReason | null;
}

export type UserCardsState =
  /** Nothing was ever bound (the stream does not exist). */
  | { readonly kind: 'none' }
  | {
      readonly kind: 'holding';
      readonly userId: string;
      /** Bound cards in binding order (possibly none, after unbinding them all). */
      readonly cards: readonly BoundCard[];
      /** Always an active card, or null when no card is active. */
      readonly defaultCardId: string | null;
    };

/** Applies one event. Throws for an event that cannot follow the state (a corrupted stream). */
export function evolveUserCards(state: UserCardsState, event: UserCardsEvent): UserCardsState {
  const holding =
    state.kind === 'holding' ? state : { kind: 'holding' as const, userId: event.data.userId, cards: [], defaultCardId: null };
  if (holding.userId !== event.data.userId) throw new Error(`event of user ${event.data.userId} in the cards of ${holding.userId}`);
  switch (event.type) {
    case CARDS_EVENT.CardBound: {
      const { userId: _userId, ...card } = event.data;
      if (holding.cards.some((other) => other.cardId === card.cardId)) throw new Error(`card ${card.cardId} bound twice`);
      return { ...holding, cards: [...holding.cards, { ...card, status: 'active', suspensionReason: null }] };
    }
    case CARDS_EVENT.CardUnbound: {
      const { cardId } = event.data;
      requireBound(holding, cardId);
      return {
        ...holding,
        cards: holding.cards.filter((card) => card.cardId !== cardId),
        defaultCardId: holding.defaultCardId === cardId ? null : holding.defaultCardId,
      };
    }
    case CARDS_EVENT.DefaultCardChanged: {
      const { cardId } = event.data;
      if (requireBound(holding, cardId).status !== 'active') throw new Error(`suspended card ${cardId} cannot be the default`);
      return { ...holding, defaultCardId: cardId };
    }
    case CARDS_EVENT.CardSuspended: {
      const { cardId, reason } = event.data;
      requireBound(holding, cardId);
      return {
        ...holding,
        cards: holding.cards.map((card) => (card.cardId === cardId ? { ...card, status: 'suspended', suspensionReason: reason } : card)),
        defaultCardId: holding.defaultCardId === cardId ? null : holding.defaultCardId,
      };
    }
    case CARDS_EVENT.CardReinstated: {
      const { cardId } = event.data;
      requireBound(holding, cardId);
      return {
        ...holding,
        cards: holding.cards.map((card) => (card.cardId === cardId ? { ...card, status: 'active', suspensionReason: null } : card)),
      };
    }
    default:
      return assertNever(event, 'user cards event');
  }
}

function requireBound(state: { readonly cards: readonly BoundCard[] }, cardId: string): BoundCard {
  const card = state.cards.find((candidate) => candidate.cardId === cardId);
  if (card === undefined) throw new Error(`event for card ${cardId}, which is not bound`);
  return card;
}

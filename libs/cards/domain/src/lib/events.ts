import type { Instant } from '@ledger/util';
/**
 * Events of the cards context. Each is `{ type, data }`; the adapter adds the metadata envelope
 * (event id, correlation, causation, actor, occurred-at, schema version). Type names are explicit,
 * versioned strings (docs/design.md §2).
 *
 * Data is JSON-native: strings, numbers, booleans and null only; instants are ISO-8601 UTC strings.
 * No event ever holds a card number: a card appears as its card id, the issuer's opaque token, its
 * last four digits and a keyed fingerprint (`<keyId>.<hash>`), the holder name only masked.
 */
import type { CardType, IssuerName } from './bin-table';

export const CARDS_EVENT = {
  CardFingerprintReserved: 'cards.CardFingerprintReserved.v1',
  CardFingerprintReleased: 'cards.CardFingerprintReleased.v1',

  CardBound: 'cards.CardBound.v1',
  CardUnbound: 'cards.CardUnbound.v1',
  DefaultCardChanged: 'cards.DefaultCardChanged.v1',
  CardSuspended: 'cards.CardSuspended.v1',
  CardReinstated: 'cards.CardReinstated.v1',
} as const;

export type CardsEventType = (typeof CARDS_EVENT)[keyof typeof CARDS_EVENT];
export const CARDS_EVENT_TYPES: readonly CardsEventType[] = Object.values(CARDS_EVENT);

export function isCardsEventType(value: unknown): value is CardsEventType {
  return typeof value === 'string' && (CARDS_EVENT_TYPES as readonly string[]).includes(value);
}

type Event<Type extends CardsEventType, Data> = { readonly type: Type; readonly data: Data };

// ---------------------------------------------------------------- fingerprint reservation (cardfp-<fingerprint>)

export type CardFingerprintReserved = Event<
  typeof CARDS_EVENT.CardFingerprintReserved,
  { fingerprint: string; userId: string; cardId: string; reservedAt: Instant }
>;

export type FingerprintReleaseReason = 'card_unbound' | 'bind_abandoned';

export type CardFingerprintReleased = Event<
  typeof CARDS_EVENT.CardFingerprintReleased,
  { fingerprint: string; userId: string; cardId: string; reason: FingerprintReleaseReason; releasedAt: Instant }
>;

export type CardFingerprintEvent = CardFingerprintReserved | CardFingerprintReleased;

// ---------------------------------------------------------------- user cards (cards-<userId>)

export type CardSuspensionReason = 'expired' | 'blocked';

export type CardBound = Event<
  typeof CARDS_EVENT.CardBound,
  {
    userId: string;
    cardId: string;
    /** Keyed hash of the number (`<keyId>.<hash>`): detects the same card, reveals nothing. */
    fingerprint: string;
    /** The issuer's opaque token: what payments charge. */
    cardToken: string;
    last4: string;
    issuer: IssuerName;
    cardType: CardType;
    /** `*三`: see maskHolderName. */
    holderNameMasked: string;
    /** `YYYY-MM` from the issuer. */
    expiresOn: string;
    boundAt: Instant;
  }
>;

export type CardUnbound = Event<
  typeof CARDS_EVENT.CardUnbound,
  {
    userId: string;
    cardId: string;
    /** So the fingerprint reservation can be released by whoever follows this stream. */
    fingerprint: string;
    last4: string;
    wasDefault: boolean;
    /** Cards still bound after this one left (active or suspended). */
    remainingCards: number;
    /**
     * True when the wallet is open and no card remains: allowed, but reported, because the wallet
     * can then be topped up only through other channels (third party, bank counter).
     */
    lastCardOfOpenWallet: boolean;
    unboundAt: Instant;
  }
>;

export type DefaultCardChangeReason = 'first_card' | 'chosen_by_user' | 'default_unbound' | 'default_suspended' | 'card_reinstated';

/**
 * The only event that sets the default card. Unbinding or suspending the default card clears the
 * default by itself (CardUnbound, CardSuspended); this event follows when another active card takes
 * its place. `previousCardId` is null when there was no default.
 */
export type DefaultCardChanged = Event<
  typeof CARDS_EVENT.DefaultCardChanged,
  { userId: string; cardId: string; previousCardId: string | null; reason: DefaultCardChangeReason; changedAt: Instant }
>;

export type CardSuspended = Event<
  typeof CARDS_EVENT.CardSuspended,
  { userId: string; cardId: string; reason: CardSuspensionReason; suspendedAt: Instant }
>;

export type CardReinstated = Event<typeof CARDS_EVENT.CardReinstated, { userId: string; cardId: string; reinstatedAt: Instant }>;

export type UserCardsEvent = CardBound | CardUnbound | DefaultCardChanged | CardSuspended | CardReinstated;

export type CardsEvent = CardFingerprintEvent | UserCardsEvent;

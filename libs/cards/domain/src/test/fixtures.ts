import type { Decider, Instant } from '@ledger/util';
import { givenWhenThen as sharedGivenWhenThen } from '@ledger/util/testing';
import { checkCardNumber } from '../lib/card-number';
import type { CardVerification } from '../lib/card-issuer';
import type { CardsRejection } from '../lib/codes';
import type { BindCard, RecordCardCheck, SetDefaultCard, UnbindCard } from '../lib/commands';
import { CARDS_EVENT, type CardBound, type DefaultCardChanged, type UserCardsEvent } from '../lib/events';
import { TEST_CARDS, type TestCardName } from '@ledger/util/testing';

/** A fixed instant; tests never read the wall clock. */
export const T0 = Date.parse('2026-03-01T08:00:00.000Z');
export const MINUTE = 60_000;

/** `T0 + ms` as an Instant, as commands carry it and events record it. */
export function at(ms: number): Instant {
  return new Date(T0 + ms).toISOString();
}

export const USER = 'u-zhangsan';
export const OTHER_USER = 'u-lisi';

/** A fingerprint in the keyed-hash format (`<keyId>.<64 hex>`), distinct per card name. */
export function fingerprintOf(name: string): string {
  const hex = Array.from(name)
    .map((character) => character.charCodeAt(0).toString(16).padStart(4, '0'))
    .join('')
    .padEnd(64, 'ab')
    .slice(0, 64);
  return `k1.${hex}`;
}

/** A successful issuer verification for a test card. */
export function validVerification(name: TestCardName): CardVerification {
  const card = TEST_CARDS[name];
  return { outcome: 'valid', cardToken: card.cardToken, cardType: card.cardType, expiresOn: card.expiresOn };
}

export const cmd = {
  bind(name: TestCardName, overrides: Partial<BindCard> = {}): BindCard {
    return {
      type: 'BindCard',
      userId: USER,
      actorUserId: USER,
      cardId: `card-${name}`,
      fingerprint: fingerprintOf(name),
      numberCheck: checkCardNumber(TEST_CARDS[name].number),
      verification: validVerification(name),
      holderNameMasked: '*三',
      now: at(0),
      ...overrides,
    };
  },
  unbind(cardId: string, overrides: Partial<UnbindCard> = {}): UnbindCard {
    return {
      type: 'UnbindCard',
      userId: USER,
      actorUserId: USER,
      cardId,
      paymentPasswordVerified: true,
      walletOpen: true,
      now: at(MINUTE),
      ...overrides,
    };
  },
  setDefault(cardId: string, overrides: Partial<SetDefaultCard> = {}): SetDefaultCard {
    return { type: 'SetDefaultCard', userId: USER, actorUserId: USER, cardId, now: at(MINUTE), ...overrides };
  },
  check(cardId: string, issuerStatus: RecordCardCheck['issuerStatus'], overrides: Partial<RecordCardCheck> = {}): RecordCardCheck {
    return { type: 'RecordCardCheck', userId: USER, actorUserId: USER, cardId, issuerStatus, now: at(MINUTE), ...overrides };
  },
};

/** The CardBound event binding a test card produces (at T0). */
export function cardBound(name: TestCardName, userId = USER): CardBound {
  const card = TEST_CARDS[name];
  return {
    type: CARDS_EVENT.CardBound,
    data: {
      userId,
      cardId: `card-${name}`,
      fingerprint: fingerprintOf(name),
      cardToken: card.cardToken,
      last4: card.number.slice(-4),
      issuer: card.issuer,
      cardType: card.cardType,
      holderNameMasked: '*三',
      expiresOn: card.expiresOn,
      boundAt: at(0),
    },
  };
}

export function defaultChanged(
  cardId: string,
  previousCardId: string | null,
  reason: DefaultCardChanged['data']['reason'],
  ms = 0,
): DefaultCardChanged {
  return { type: CARDS_EVENT.DefaultCardChanged, data: { userId: USER, cardId, previousCardId, reason, changedAt: at(ms) } };
}

/** History in which the given cards were bound in order (the first became the default). */
export function bound(...names: TestCardName[]): UserCardsEvent[] {
  return names.flatMap((name, index) =>
    index === 0 ? [cardBound(name), defaultChanged(`card-${name}`, null, 'first_card')] : [cardBound(name)],
  );
}

/** The project's given/when/then (`@ledger/util/testing`) over a cards decider. */
export function givenWhenThen<Command, Event, State>(decider: Decider<Command, Event, State, CardsRejection>) {
  return sharedGivenWhenThen(decider).given;
}

import { at, fingerprintOf, givenWhenThen, MINUTE, OTHER_USER, USER } from '../test/fixtures';
import { cardFingerprintDecider, cardFingerprintStreamId } from './card-fingerprint-reservation';
import { CARDS_ERROR, InvalidCardsCommand } from './codes';
import type { ReleaseCardFingerprint, ReserveCardFingerprint } from './commands';
import { CARDS_EVENT, type CardFingerprintEvent } from './events';

const FP = fingerprintOf('zhangSanDebit');
const given = givenWhenThen(cardFingerprintDecider);

const reserve = (userId: string, cardId: string, ms = 0): ReserveCardFingerprint => ({
  type: 'ReserveCardFingerprint',
  fingerprint: FP,
  userId,
  cardId,
  now: at(ms),
});
const release = (userId: string, cardId: string, ms = MINUTE): ReleaseCardFingerprint => ({
  type: 'ReleaseCardFingerprint',
  fingerprint: FP,
  userId,
  cardId,
  reason: 'card_unbound',
  now: at(ms),
});
const reserved = (userId: string, cardId: string, ms = 0): CardFingerprintEvent => ({
  type: CARDS_EVENT.CardFingerprintReserved,
  data: { fingerprint: FP, userId, cardId, reservedAt: at(ms) },
});

describe('CardFingerprintReservation', () => {
  it('reserves a free card for a user in stream cardfp-<fingerprint>', () => {
    const result = given([]).when(reserve(USER, 'c-1'));
    expect(result.events).toEqual([reserved(USER, 'c-1')]);
    expect(result.state).toEqual({ kind: 'reserved', fingerprint: FP, userId: USER, cardId: 'c-1', reservedAt: at(0) });
    expect(cardFingerprintStreamId(FP)).toBe(`cardfp-${FP}`);
  });

  it('refuses another user with CARD_BOUND_TO_ANOTHER_USER, revealing nothing about the holder', () => {
    const result = given([reserved(USER, 'c-1')]).when(reserve(OTHER_USER, 'c-9', MINUTE));
    expect(result.code).toBe(CARDS_ERROR.CARD_BOUND_TO_ANOTHER_USER);
    expect(result.details).toBeUndefined();
    expect(result.events).toEqual([]);
  });

  it('refuses the same user with another binding with CARD_ALREADY_BOUND, naming the existing binding', () => {
    const result = given([reserved(USER, 'c-1')]).when(reserve(USER, 'c-2', MINUTE));
    expect(result.code).toBe(CARDS_ERROR.CARD_ALREADY_BOUND);
    expect(result.details).toEqual({ cardId: 'c-1' });
  });

  it('treats the same user and card id again as a retry: no events, no rejection', () => {
    const result = given([reserved(USER, 'c-1')]).when(reserve(USER, 'c-1', MINUTE));
    expect(result.rejection).toBeUndefined();
    expect(result.events).toEqual([]);
  });

  it('releases on unbind, so the card can be reserved again (by anyone)', () => {
    const released = given([reserved(USER, 'c-1')]).when(release(USER, 'c-1'));
    expect(released.events).toEqual([
      {
        type: CARDS_EVENT.CardFingerprintReleased,
        data: { fingerprint: FP, userId: USER, cardId: 'c-1', reason: 'card_unbound', releasedAt: at(MINUTE) },
      },
    ]);
    expect(released.state).toEqual({ kind: 'free', released: true });
    expect(given(released.history).when(reserve(OTHER_USER, 'c-9', 2 * MINUTE)).events).toEqual([reserved(OTHER_USER, 'c-9', 2 * MINUTE)]);
    expect(given(released.history).when(reserve(USER, 'c-3', 2 * MINUTE)).events).toEqual([reserved(USER, 'c-3', 2 * MINUTE)]);
  });

  it('ignores a stale release: when free, or when the card now belongs to another binding', () => {
    expect(given([]).when(release(USER, 'c-1')).events).toEqual([]);
    const rebound = [
      reserved(USER, 'c-1'),
      ...given([reserved(USER, 'c-1')]).when(release(USER, 'c-1')).events,
      reserved(OTHER_USER, 'c-9', 2 * MINUTE),
    ];
    const stale = given(rebound).when(release(USER, 'c-1', 3 * MINUTE));
    expect(stale.events).toEqual([]);
    expect(stale.rejection).toBeUndefined();
    expect(stale.state).toMatchObject({ kind: 'reserved', userId: OTHER_USER, cardId: 'c-9' });
    expect(given([reserved(USER, 'c-1')]).when(release(USER, 'c-2')).events).toEqual([]);
  });

  it('throws for malformed commands', () => {
    expect(() => given([]).when({ ...reserve(USER, 'c-1'), fingerprint: '6222020000123452' })).toThrow(InvalidCardsCommand);
    expect(() => given([]).when(reserve('', 'c-1'))).toThrow(InvalidCardsCommand);
    expect(() => given([]).when(reserve(USER, ' '))).toThrow(InvalidCardsCommand);
    expect(() => given([]).when({ ...reserve(USER, 'c-1'), now: 'not an instant' })).toThrow(InvalidCardsCommand);
    expect(() => cardFingerprintStreamId('not a fingerprint')).toThrow(InvalidCardsCommand);
  });
});

/**
 * Card uniqueness across users (docs/design.md §2): one stream per card fingerprint, `cardfp-<fingerprint>`.
 *
 * The first reservation of a card is appended with expected revision "no stream", so of any number
 * of concurrent bindings of one card exactly one append succeeds; the others reload, fold the
 * winner's event and get CARD_BOUND_TO_ANOTHER_USER (or CARD_ALREADY_BOUND for the same user).
 *
 * After a release (the card was unbound) the stream exists and its state is free again. A later
 * reservation is then appended with the *exact revision* the service loaded, not "no stream": still
 * race-free, because two concurrent reservations loaded the same revision and only one append can
 * succeed at it. In general: append with "no stream" when the load found no stream, otherwise with
 * the loaded revision.
 *
 * Binding touches two streams without a transaction. The service decides the UserCards command
 * first (pure), reserves the fingerprint, then appends CardBound. A retried reservation for the same
 * user and card id is a no-op, so a binding that crashed between the two appends completes when
 * retried. If the retry uses a new card id, the reservation answers CARD_ALREADY_BOUND with the
 * reserved `cardId` in details: when the user's stream has no such card, the service completes that
 * binding (or releases it with reason `bind_abandoned`).
 */
import { assertNever, reject, type Decider, type Instant } from '@ledger/util';
import { CARDS_ERROR, type CardsRejection } from './codes';
import type { CardFingerprintCommand } from './commands';
import { CARDS_EVENT, type CardFingerprintEvent } from './events';
import { instant, requireFingerprint, requireId } from './guards';

export type CardFingerprintState =
  | {
      readonly kind: 'free';
      /** True once a reservation was released: the stream exists (see module comment). */ readonly released: boolean;
    }
  | {
      readonly kind: 'reserved';
      readonly fingerprint: string;
      readonly userId: string;
      readonly cardId: string;
      readonly reservedAt: Instant;
    };

export const CARD_FINGERPRINT_STREAM_PREFIX = 'cardfp-';

export function cardFingerprintStreamId(fingerprint: string): string {
  return `${CARD_FINGERPRINT_STREAM_PREFIX}${requireFingerprint(fingerprint)}`;
}

export type CardFingerprintDecider = Decider<CardFingerprintCommand, CardFingerprintEvent, CardFingerprintState, CardsRejection>;

export const cardFingerprintDecider: CardFingerprintDecider = {
  initialState: () => ({ kind: 'free', released: false }),

  decide(command, state) {
    requireFingerprint(command.fingerprint);
    requireId(command.userId, 'userId');
    requireId(command.cardId, 'cardId');
    const now = instant(command.now);
    switch (command.type) {
      case 'ReserveCardFingerprint':
        if (state.kind === 'reserved') {
          if (state.userId !== command.userId)
            return reject(CARDS_ERROR.CARD_BOUND_TO_ANOTHER_USER, 'this card is already bound to another wallet user');
          // Same user, same binding: a retry of its own reservation.
          if (state.cardId === command.cardId) return [];
          return reject(CARDS_ERROR.CARD_ALREADY_BOUND, 'you have already bound this card', { cardId: state.cardId });
        }
        return [
          {
            type: CARDS_EVENT.CardFingerprintReserved,
            data: { fingerprint: command.fingerprint, userId: command.userId, cardId: command.cardId, reservedAt: now },
          },
        ];
      case 'ReleaseCardFingerprint':
        // Delivery is at-least-once: a stale release (already free, or the card since reserved by
        // another binding) must not free someone else's reservation, and is not an error either.
        if (state.kind === 'free' || state.userId !== command.userId || state.cardId !== command.cardId) return [];
        return [
          {
            type: CARDS_EVENT.CardFingerprintReleased,
            data: {
              fingerprint: command.fingerprint,
              userId: command.userId,
              cardId: command.cardId,
              reason: command.reason,
              releasedAt: now,
            },
          },
        ];
      default:
        return assertNever(command, 'card fingerprint command');
    }
  },

  evolve(_state, event) {
    switch (event.type) {
      case CARDS_EVENT.CardFingerprintReserved:
        return {
          kind: 'reserved',
          fingerprint: event.data.fingerprint,
          userId: event.data.userId,
          cardId: event.data.cardId,
          reservedAt: event.data.reservedAt,
        };
      case CARDS_EVENT.CardFingerprintReleased:
        return { kind: 'free', released: true };
      default:
        return assertNever(event, 'card fingerprint event');
    }
  },
};

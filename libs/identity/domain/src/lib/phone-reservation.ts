import { assertNever, reject, type Decider } from '@ledger/util';
import { IDENTITY_ERROR, InvalidIdentityCommand, type IdentityRejection } from './codes';
import { IDENTITY_EVENT, type PhoneReservationEvent } from './events';
import { instant, type Instant } from './time';

/**
 * Phone-number uniqueness (docs/design.md §2): one stream per phone fingerprint, `phone-<hmac>`. The first
 * reservation is appended with "stream must not exist", so of any number of concurrent
 * registrations of one phone exactly one append succeeds and the others fold the winner's event
 * and get `PHONE_ALREADY_REGISTERED`. No lookup table, no race.
 *
 * Registration touches three streams (code, reservation, user) without a transaction. The service
 * runs the user decider first (pure, so maintenance and password rejections happen before anything
 * is reserved), then reserves, then appends the user. Reserving again for the same user id is a
 * no-op, so a retried registration after a crash between the last two steps completes; a
 * reservation that can never complete is given back with `ReleasePhoneReservation`.
 */
export type PhoneReservationCommand = ReservePhone | ReleasePhoneReservation;

export interface ReservePhone {
  type: 'ReservePhone';
  phoneHash: string;
  userId: string;
  now: Instant;
}

export interface ReleasePhoneReservation {
  type: 'ReleasePhoneReservation';
  phoneHash: string;
  userId: string;
  /** Why the phone is given back, e.g. `registration_abandoned`. */
  reason: string;
  now: Instant;
}

export type PhoneReservationState =
  { kind: 'free'; released: boolean } | { kind: 'reserved'; phoneHash: string; userId: string; reservedAt: Instant };

export function phoneReservationStreamId(phoneHash: string): string {
  return `phone-${phoneHash}`;
}

export type PhoneReservationDecider = Decider<PhoneReservationCommand, PhoneReservationEvent, PhoneReservationState, IdentityRejection>;

export const phoneReservationDecider: PhoneReservationDecider = {
  initialState: () => ({ kind: 'free', released: false }),

  decide(command, state) {
    if (command.phoneHash.trim() === '' || command.userId.trim() === '')
      throw new InvalidIdentityCommand('phoneHash and userId are required');
    switch (command.type) {
      case 'ReservePhone':
        if (state.kind === 'reserved') {
          // The same user reserving again is a retry of its own registration, not a conflict.
          if (state.userId === command.userId) return [];
          return reject(IDENTITY_ERROR.PHONE_ALREADY_REGISTERED, 'this phone number is already registered');
        }
        return [
          {
            type: IDENTITY_EVENT.PhoneReserved,
            data: { phoneHash: command.phoneHash, userId: command.userId, reservedAt: instant(command.now) },
          },
        ];
      case 'ReleasePhoneReservation':
        if (state.kind === 'free') return [];
        if (state.userId !== command.userId) throw new InvalidIdentityCommand('only the holder of a reservation can release it');
        return [
          {
            type: IDENTITY_EVENT.PhoneReservationReleased,
            data: { phoneHash: command.phoneHash, userId: command.userId, reason: command.reason, releasedAt: instant(command.now) },
          },
        ];
      default:
        return assertNever(command, 'phone reservation command');
    }
  },

  evolve(_state, event) {
    switch (event.type) {
      case IDENTITY_EVENT.PhoneReserved:
        return { kind: 'reserved', phoneHash: event.data.phoneHash, userId: event.data.userId, reservedAt: event.data.reservedAt };
      case IDENTITY_EVENT.PhoneReservationReleased:
        return { kind: 'free', released: true };
      default:
        return assertNever(event, 'phone reservation event');
    }
  },
};

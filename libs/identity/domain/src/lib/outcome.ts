import { isRejection, reject } from '@ledger/util';
import { IDENTITY_ERROR, type IdentityRejection } from './codes';
import { IDENTITY_EVENT, type IdentityEvent } from './events';

/**
 * What a service does with a decision: append `events` (possibly none), then answer the caller
 * with `rejection` if there is one, otherwise accepted.
 *
 * Some failures are recorded as events so that they count (wrong codes and passwords, see
 * user.ts); for those the events are appended *and* the caller gets the rejection derived here.
 * This is the single place that maps recorded failures to codes.
 */
export interface DecisionOutcome<Event extends IdentityEvent> {
  events: Event[];
  rejection: IdentityRejection | undefined;
}

export function outcomeOf<Event extends IdentityEvent>(decision: Event[] | IdentityRejection): DecisionOutcome<Event> {
  if (isRejection(decision)) return { events: [], rejection: decision };
  return { events: decision, rejection: recordedRejection(decision) };
}

/** The rejection that a list of emitted events stands for, if they record a failure. */
export function recordedRejection(events: readonly IdentityEvent[]): IdentityRejection | undefined {
  // Deliberately not a switch: only five event types stand for failures, every other one is a
  // success or a side effect (lock, alert) of a failure found here.
  const lockUntil = (type: LockEventType): string | undefined => {
    const lock = events.find((event): event is Extract<IdentityEvent, { type: LockEventType }> => event.type === type);
    return lock?.data.lockedUntil;
  };
  for (const event of events) {
    if (event.type === IDENTITY_EVENT.VerificationCodeAttemptFailed) {
      const { attemptsLeft } = event.data;
      return reject(IDENTITY_ERROR.INVALID_CODE, attemptsLeft === 0 ? 'wrong code; it is now invalid, ask for a new one' : 'wrong code', {
        attemptsLeft,
      });
    }
    if (event.type === IDENTITY_EVENT.LoginFailed) {
      const until = lockUntil(IDENTITY_EVENT.LoginLocked);
      return until !== undefined
        ? reject(IDENTITY_ERROR.LOGIN_LOCKED, 'login is locked after repeated failures', { until, attemptsLeft: 0 })
        : reject(IDENTITY_ERROR.INVALID_CREDENTIALS, 'wrong phone number or password', { attemptsLeft: event.data.attemptsLeft });
    }
    if (event.type === IDENTITY_EVENT.StaffLoginFailed) {
      // A staff login says neither which part was wrong nor how many tries are left: both would help a guesser.
      const until = lockUntil(IDENTITY_EVENT.StaffLoginLocked);
      return until !== undefined
        ? reject(IDENTITY_ERROR.LOGIN_LOCKED, 'login is locked after repeated failures', { until })
        : reject(IDENTITY_ERROR.INVALID_CREDENTIALS, 'wrong agent id, password or authenticator code');
    }
    if (event.type === IDENTITY_EVENT.PaymentPasswordVerificationFailed) {
      const lockedUntil = lockUntil(IDENTITY_EVENT.PaymentPasswordLocked);
      return lockedUntil !== undefined
        ? reject(IDENTITY_ERROR.PAYMENT_PASSWORD_LOCKED, 'payment password locked after too many wrong tries', {
            lockedUntil,
            attemptsLeft: 0,
          })
        : reject(IDENTITY_ERROR.WRONG_PAYMENT_PASSWORD, 'wrong payment password', { attemptsLeft: event.data.attemptsLeft });
    }
    if (event.type === IDENTITY_EVENT.SecondFactorFailed) {
      const until = lockUntil(IDENTITY_EVENT.SecondFactorLocked);
      return until !== undefined
        ? reject(IDENTITY_ERROR.SECOND_FACTOR_LOCKED, 'too many wrong dynamic codes', { until, attemptsLeft: 0 })
        : reject(IDENTITY_ERROR.INVALID_SECOND_FACTOR, 'wrong dynamic code', { attemptsLeft: event.data.attemptsLeft });
    }
  }
  return undefined;
}

type LockEventType =
  | typeof IDENTITY_EVENT.LoginLocked
  | typeof IDENTITY_EVENT.PaymentPasswordLocked
  | typeof IDENTITY_EVENT.SecondFactorLocked
  | typeof IDENTITY_EVENT.StaffLoginLocked;

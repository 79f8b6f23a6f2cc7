import type { Decider } from '@ledger/util';
import { givenWhenThen as sharedGivenWhenThen } from '@ledger/util/testing';
import type { IdentityRejection } from '../lib/codes';
import type { IdentityEvent } from '../lib/events';
import { recordedRejection } from '../lib/outcome';

/** A fixed instant; tests never read the wall clock. */
export const T0 = new Date('2026-03-01T08:00:00.000Z');
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** `T0 + ms` as a Date, for commands. */
export function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

/** `T0 + ms` as an ISO string, as it appears in events. */
export function iso(ms: number): string {
  return at(ms).toISOString();
}

/** The project's given/when/then (`@ledger/util/testing`), answering recorded failures as identity does. */
export function givenWhenThen<Command, Event extends IdentityEvent, State>(decider: Decider<Command, Event, State, IdentityRejection>) {
  return sharedGivenWhenThen(decider, { recordedRejection }).given;
}

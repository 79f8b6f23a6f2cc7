import type { Decider, Instant } from '@ledger/util';
import { givenWhenThen as sharedGivenWhenThen } from '@ledger/util/testing';
import type { IdentityRejection } from '../lib/codes';
import type { IdentityEvent } from '../lib/events';
import { recordedRejection } from '../lib/outcome';

/** A fixed instant; tests never read the wall clock. */
export const T0 = Date.parse('2026-03-01T08:00:00.000Z');
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** `T0 + ms` as an Instant, as commands carry it and events record it. */
export function at(ms: number): Instant {
  return new Date(T0 + ms).toISOString();
}

/** The project's given/when/then (`@ledger/util/testing`), answering recorded failures as identity does. */
export function givenWhenThen<Command, Event extends IdentityEvent, State>(decider: Decider<Command, Event, State, IdentityRejection>) {
  return sharedGivenWhenThen(decider, { recordedRejection }).given;
}

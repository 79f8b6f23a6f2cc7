import { fold, type Decider } from '@ledger/util';
import type { IdentityRejection } from '../lib/codes';
import type { IdentityEvent } from '../lib/events';
import { outcomeOf } from '../lib/outcome';

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

/**
 * given(history).when(command) → what the service would append and answer, plus the state after.
 * Works for every identity decider.
 */
export function givenWhenThen<Command, Event extends IdentityEvent, State>(decider: Decider<Command, Event, State, IdentityRejection>) {
  return function given(history: readonly Event[] = []) {
    const state = fold(decider, history);
    return {
      state,
      when(command: Command) {
        const { events, rejection } = outcomeOf<Event>(decider.decide(command, state));
        return { events, rejection, code: rejection?.code, details: rejection?.details, state: fold(decider, events, state), history: [...history, ...events] };
      },
    };
  };
}

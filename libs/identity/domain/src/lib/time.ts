import { InvalidIdentityCommand } from './codes';

/** Instants travel in events as ISO-8601 UTC strings; commands carry `Date`s from the injected clock. */
export type Instant = string;

export function instant(date: Date): Instant {
  if (Number.isNaN(date.getTime())) throw new InvalidIdentityCommand('invalid date in command');
  return date.toISOString();
}

export function millis(value: Instant): number {
  return Date.parse(value);
}

export function plusMs(date: Date, ms: number): Instant {
  return new Date(date.getTime() + ms).toISOString();
}

/** True while `now` is strictly before `until` (a lock ending at T no longer applies at T). */
export function isBefore(now: Date, until: Instant | null | undefined): until is Instant {
  return until !== null && until !== undefined && now.getTime() < millis(until);
}

/** The instants of `history` that fall inside the rolling window ending at `now`. */
export function within(history: readonly Instant[], now: Date, windowMs: number): Instant[] {
  const from = now.getTime() - windowMs;
  return history.filter((at) => millis(at) > from && millis(at) <= now.getTime());
}

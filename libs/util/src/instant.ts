/**
 * One convention for time in commands and events: an instant is an ISO-8601 UTC string with
 * milliseconds ("2026-03-01T08:00:00.000Z"), the spelling `Date.prototype.toISOString` gives.
 * Commands carry `now` as an Instant read from the injected clock, so a decider is a function of
 * plain data (it can be logged, remembered and replayed as it was sent) and the instants it writes
 * into events are the ones it was given.
 */
export type Instant = string;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** `value` in the canonical spelling, or undefined when it is not an ISO-8601 instant with a zone. */
export function canonicalInstant(value: unknown): Instant | undefined {
  const ms = typeof value === 'string' && ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Milliseconds since the epoch. */
export function instantMs(at: Instant): number {
  return Date.parse(at);
}

export function plusMs(at: Instant, ms: number): Instant {
  return new Date(Date.parse(at) + ms).toISOString();
}

/** True while `now` is strictly before `until` (a lock ending at T no longer applies at T). */
export function isBefore(now: Instant, until: Instant | null | undefined): until is Instant {
  return until !== null && until !== undefined && Date.parse(now) < Date.parse(until);
}

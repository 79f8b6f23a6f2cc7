import { canonicalInstant, instantMs, type Instant } from '@ledger/util';
import { InvalidIdentityCommand } from './codes';

export { instantMs, isBefore, plusMs, type Instant } from '@ledger/util';

/** A command's instant, checked and in the canonical spelling events carry. */
export function instant(value: Instant): Instant {
  const canonical = canonicalInstant(value);
  if (canonical === undefined) throw new InvalidIdentityCommand(`invalid instant in command: ${JSON.stringify(value)}`);
  return canonical;
}

/** The instants of `history` that fall inside the rolling window ending at `now`. */
export function within(history: readonly Instant[], now: Instant, windowMs: number): Instant[] {
  const end = instantMs(now);
  return history.filter((at) => instantMs(at) > end - windowMs && instantMs(at) <= end);
}

import { randomInt, randomUUID } from 'node:crypto';

/**
 * A numeric one-time code (SMS verification) from the CSPRNG. `randomInt` is uniform over the
 * range, unlike `Math.random()` or a modulo of random bytes.
 */
export function generateNumericCode(digits = 6): string {
  if (!Number.isInteger(digits) || digits < 4 || digits > 12) throw new RangeError('code length must be 4 to 12 digits');
  // Two halves keep each randomInt range under its 2^48 limit for long codes.
  const high = Math.floor(digits / 2);
  const low = digits - high;
  return (
    randomInt(0, 10 ** high)
      .toString()
      .padStart(high, '0') +
    randomInt(0, 10 ** low)
      .toString()
      .padStart(low, '0')
  );
}

/** The 6-digit SMS verification code. */
export function generateSmsCode(): string {
  return generateNumericCode(6);
}

/** A random identifier (UUID v4) for codes, alerts and the like. */
export function generateId(): string {
  return randomUUID();
}

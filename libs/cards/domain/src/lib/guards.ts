/**
 * Input checks shared by the deciders. A failure here is a bug in the adapter (it validates
 * payloads first), so these throw `InvalidCardsCommand` instead of returning a rejection.
 */
import { containsCardNumberLikeRun } from './card-number';
import { InvalidCardsCommand } from './codes';
import { canonicalInstant, type Instant } from '@ledger/util';

const MAX_ID_LENGTH = 128;

/** `<keyId>.<hash>` as produced by the keyed-hash fingerprint (hex or base64url). */
export const FINGERPRINT_FORMAT = /^[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{16,128}$/;

export function requireId(value: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_ID_LENGTH)
    throw new InvalidCardsCommand(`${field} must be a non-empty id of at most ${MAX_ID_LENGTH} characters`);
  return value;
}

export function requireFingerprint(value: string): string {
  if (typeof value !== 'string' || !FINGERPRINT_FORMAT.test(value))
    throw new InvalidCardsCommand('fingerprint must be a keyed hash <keyId>.<hash>');
  return value;
}

/** For fields that come from outside and could, through a bug, carry the full number. */
export function requireNoCardNumber(value: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidCardsCommand(`${field} is required`);
  if (containsCardNumberLikeRun(value))
    throw new InvalidCardsCommand(`${field} looks like a card number; only tokens, last four digits and masks may be kept`);
  return value;
}

/** A command's instant, checked and in the canonical spelling events carry. */
export function instant(value: Instant): Instant {
  const canonical = canonicalInstant(value);
  if (canonical === undefined) throw new InvalidCardsCommand(`now must be an ISO-8601 instant, got ${JSON.stringify(value)}`);
  return canonical;
}

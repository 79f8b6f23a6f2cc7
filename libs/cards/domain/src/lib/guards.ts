/**
 * Input checks shared by the deciders. A failure here is a bug in the adapter (it validates
 * payloads first), so these throw `InvalidCardsCommand` instead of returning a rejection.
 */
import { containsCardNumberLikeRun } from './card-number';
import { InvalidCardsCommand } from './codes';
import type { Instant } from './events';

const MAX_ID_LENGTH = 128;

/** `<keyId>.<hash>` as produced by the keyed-hash fingerprint (hex or base64url). */
export const FINGERPRINT_FORMAT = /^[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{16,128}$/;

export function requireId(value: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_ID_LENGTH) throw new InvalidCardsCommand(`${field} must be a non-empty id of at most ${MAX_ID_LENGTH} characters`);
  return value;
}

export function requireFingerprint(value: string): string {
  if (typeof value !== 'string' || !FINGERPRINT_FORMAT.test(value)) throw new InvalidCardsCommand('fingerprint must be a keyed hash <keyId>.<hash>');
  return value;
}

/** For fields that come from outside and could, through a bug, carry the full number. */
export function requireNoCardNumber(value: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidCardsCommand(`${field} is required`);
  if (containsCardNumberLikeRun(value)) throw new InvalidCardsCommand(`${field} looks like a card number; only tokens, last four digits and masks may be kept`);
  return value;
}

export function instant(date: Date): Instant {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new InvalidCardsCommand('now must be a valid Date');
  return date.toISOString();
}

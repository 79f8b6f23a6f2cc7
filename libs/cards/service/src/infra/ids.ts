import { createHash } from 'node:crypto';

/** Letters only: an id made of them can never look like (part of) a card number to a scanner. */
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * The card id of a binding, derived from the BindCard command id: a re-delivered command binds the
 * same card id, so its reservation and its append are no-ops the second time. 20 letters ≈ 94 bits.
 */
export function cardIdFor(commandId: string): string {
  const digest = createHash('sha256').update(`cards-card-id\u0000${commandId}`).digest();
  let id = 'card_';
  for (let index = 0; index < 20; index += 1) id += LETTERS[(digest[index] ?? 0) % LETTERS.length];
  return id;
}

/**
 * A UUID (version-8 layout) for a secondary step of a command (its fingerprint release, the
 * payment-password check it asks identity for): deterministic, so a re-delivered command repeats
 * each step with the same id and every step stays idempotent.
 */
export function derivedId(commandId: string, step: string): string {
  const bytes = createHash('sha256').update(`cards-step\u0000${commandId}\u0000${step}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

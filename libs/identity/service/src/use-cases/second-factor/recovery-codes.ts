import { HASH_PURPOSE, keyedHash, verifyKeyedHash, type Keyring } from '@ledger/crypto';

/** How many recovery codes a confirmation issues. */
export const RECOVERY_CODE_COUNT = 10;

/**
 * Lowercase letters and digits without the look-alikes 0/o and 1/i/l: 31 symbols that survive being
 * written on paper and typed back. Ten of them make a code of about 49.5 bits, far beyond what the
 * second-factor lock (5 wrong codes, then 30 minutes) lets anyone guess.
 */
const ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const HALF = 5;
/** The largest multiple of the alphabet's size a byte can hold: bytes above it would favour the first symbols. */
const UNBIASED_BYTES = Math.floor(256 / ALPHABET.length) * ALPHABET.length;

/**
 * The recovery codes of one confirmation, as the user sees them (`xxxxx-xxxxx`).
 *
 * Derived, not drawn, as refresh tokens are: each code is an HMAC under the pepper key of the user
 * id, the confirming command's id and the code's index. A confirmation delivered twice (a retry, a
 * re-delivery after a crash) is answered from the events of its first delivery, so it must answer
 * the very codes whose hashes those events hold; codes drawn afresh would be codes that never work.
 * Without the pepper key nobody can compute them from the ids, which travel in clear headers; with
 * it, the TOTP secret is no safer (the same service holds the key that opens it).
 */
export function recoveryCodesFor(userId: string, confirmingCommandId: string, pepper: Keyring): string[] {
  const codes = new Set<string>();
  // A repeated code (about one chance in 10^13) is skipped, so the hashes stay distinct.
  for (let index = 0; codes.size < RECOVERY_CODE_COUNT; index += 1) codes.add(derivedCode(userId, confirmingCommandId, index, pepper));
  return [...codes];
}

function derivedCode(userId: string, commandId: string, index: number, pepper: Keyring): string {
  let symbols = '';
  for (let block = 0; symbols.length < 2 * HALF; block += 1) {
    const digest = keyedHash(HASH_PURPOSE.recoveryCodeSecret, [userId, commandId, String(index), String(block)], pepper).split(':')[2];
    if (digest === undefined) throw new Error('a keyed hash without its digest');
    for (const byte of Buffer.from(digest, 'base64url')) {
      if (byte >= UNBIASED_BYTES) continue;
      symbols += ALPHABET[byte % ALPHABET.length];
      if (symbols.length === 2 * HALF) break;
    }
  }
  return `${symbols.slice(0, HALF)}-${symbols.slice(HALF)}`;
}

/**
 * A typed recovery code in its one written form, or undefined when it cannot be one: case, spaces
 * and the dash are forgiven (people copy codes by hand), the alphabet is not.
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  const symbols = input.toLowerCase().replace(/[\s-]/g, '');
  if (symbols.length !== 2 * HALF || [...symbols].some((symbol) => !ALPHABET.includes(symbol))) return undefined;
  return `${symbols.slice(0, HALF)}-${symbols.slice(HALF)}`;
}

/** What is stored of a recovery code: a keyed hash bound to its user, so equal codes of two users never share a hash. */
export function hashRecoveryCode(userId: string, code: string, pepper: Keyring): string {
  return keyedHash(HASH_PURPOSE.recoveryCode, [userId, code], pepper);
}

/** The stored hash `input` matches among the user's unused recovery codes, if any. */
export function matchingRecoveryCodeHash(userId: string, input: string, hashes: readonly string[], pepper: Keyring): string | undefined {
  const code = normalizeRecoveryCode(input);
  if (code === undefined) return undefined;
  // Every hash is compared, so the time taken does not tell which of the codes matched.
  let matched: string | undefined;
  for (const hash of hashes)
    if (verifyKeyedHash(HASH_PURPOSE.recoveryCode, [userId, code], hash, pepper) && matched === undefined) matched = hash;
  return matched;
}

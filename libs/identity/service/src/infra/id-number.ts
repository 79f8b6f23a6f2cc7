/**
 * Mainland China resident identity card number (GB 11643-1999): 17 digits and an ISO 7064
 * MOD 11-2 check character. Checked in memory right after decryption, so a typo is refused before
 * anything is stored; the number itself is only ever stored encrypted.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';

export function idNumberCheckCharacter(first17: string): string {
  let sum = 0;
  for (let index = 0; index < WEIGHTS.length; index += 1) sum += Number(first17[index]) * (WEIGHTS[index] ?? 0);
  return CHECK_CHARACTERS[sum % 11] ?? '';
}

export function isValidIdNumber(value: string): boolean {
  const upper = value.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(upper)) return false;
  return idNumberCheckCharacter(upper.slice(0, 17)) === upper[17];
}

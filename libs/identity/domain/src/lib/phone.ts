import { maskMobilePhone, normalizeMobilePhone as canonicalMobilePhone } from '@ledger/contracts';
import { InvalidIdentityCommand } from './codes';

/**
 * Canonical form of a mainland China mobile number (11 digits; the one rule of the contracts), so
 * that "+86 138-1234-5678" and "13812345678" get the same fingerprint and cannot register twice.
 * Throws for anything else.
 */
export function normalizeMobilePhone(input: string): string {
  const phone = canonicalMobilePhone(input);
  if (phone === undefined) throw new InvalidIdentityCommand('not a mainland China mobile number');
  return phone;
}

export function isMobilePhone(input: string): boolean {
  try {
    normalizeMobilePhone(input);
    return true;
  } catch {
    return false;
  }
}

/** `13812345678` → `138****5678`: what may be shown, logged and stored next to the fingerprint. */
export function maskPhone(phone: string): string {
  return maskMobilePhone(normalizeMobilePhone(phone));
}

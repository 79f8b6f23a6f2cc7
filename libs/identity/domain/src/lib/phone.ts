import { InvalidIdentityCommand } from './codes';

const CN_MOBILE = /^1[3-9]\d{9}$/;

/**
 * Canonical form of a mainland China mobile number (11 digits), so that "+86 138-1234-5678" and
 * "13812345678" get the same fingerprint and cannot register twice. Throws for anything else.
 */
export function normalizeMobilePhone(input: string): string {
  const digits = input.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  if (!CN_MOBILE.test(digits)) throw new InvalidIdentityCommand('not a mainland China mobile number');
  return digits;
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
  const digits = normalizeMobilePhone(phone);
  return `${digits.slice(0, 3)}****${digits.slice(7)}`;
}

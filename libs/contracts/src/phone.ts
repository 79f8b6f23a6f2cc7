/**
 * Mainland China mobile numbers, as every edge and service reads them: 11 digits starting 13–19,
 * optionally after +86 or 0086, with spaces or dashes anywhere ("+86 138-1234-5678"). One rule, so
 * the gateway refuses at once what a service downstream would refuse, and a number is stored,
 * fingerprinted and looked up in one canonical form (`13812345678`).
 */
const SEPARATORS = '[\\s-]*';
const digitsOf = (digits: string): string => [...digits].map((digit) => `${digit}${SEPARATORS}`).join('');

/** The raw forms accepted, as a JSON-schema pattern (the gateway's and the OpenAPI document's). */
export const MOBILE_PHONE_PATTERN = `^${SEPARATORS}(\\+${SEPARATORS}${digitsOf('86')}|${digitsOf('0086')})?1${SEPARATORS}[3-9]${SEPARATORS}([0-9]${SEPARATORS}){9}$`;

const CANONICAL = /^1[3-9][0-9]{9}$/;

/** The canonical 11 digits of a mobile number, or undefined when `raw` is not one. */
export function normalizeMobilePhone(raw: string): string | undefined {
  const compact = raw.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  return CANONICAL.test(compact) ? compact : undefined;
}

/** `13812345678` → `138****5678`: what may be shown, logged and stored beside a fingerprint. */
export function maskMobilePhone(canonical: string): string {
  return `${canonical.slice(0, 3)}****${canonical.slice(7)}`;
}

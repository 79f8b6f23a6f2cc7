import { normalizeMobilePhone } from '@ledger/contracts';

/**
 * The canonical form (`13812345678`) of a phone the request schema accepted (`MOBILE_PHONE_PATTERN`):
 * what is sealed for the services, keyed and rate-limited, so "+86 138-1234-5678" and
 * "13812345678" are one number everywhere and nothing downstream meets a form it would refuse.
 */
export function canonicalPhone(accepted: string): string {
  const phone = normalizeMobilePhone(accepted);
  if (phone === undefined) throw new Error('a phone passed the request schema without being a mobile number');
  return phone;
}

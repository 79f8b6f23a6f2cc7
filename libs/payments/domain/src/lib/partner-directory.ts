/**
 * Where a payment's start finds its merchant or biller: the registry as it stands when the payment
 * starts (the service's live view of the registry streams, `registry.ts`). What the start decides
 * from it (a merchant's settlement) is recorded on the payment, so a replay never asks it again.
 */
import { BILLERS, type BillerEntry } from './billers';
import { MERCHANTS, type MerchantEntry } from './merchants';

export interface PartnerDirectory {
  /** The merchant, suspended ones included (they do not accept the wallet), or undefined when none has this id. */
  merchant(merchantId: string): MerchantEntry | undefined;
  /** The biller that takes payments now, or undefined (unknown or suspended). */
  biller(billerId: string): BillerEntry | undefined;
}

/** A fixed directory over two tables (tests, simulations, and the seed of a new registry). */
export function directoryOf(merchants: readonly MerchantEntry[], billers: readonly BillerEntry[]): PartnerDirectory {
  const byMerchant = new Map(merchants.map((entry) => [entry.merchantId, entry]));
  const byBiller = new Map(billers.map((entry) => [entry.billerId, entry]));
  return { merchant: (id) => byMerchant.get(id), biller: (id) => byBiller.get(id) };
}

/** The merchants and billers the registry starts with (`MERCHANTS`, `BILLERS`). */
export const SEED_DIRECTORY: PartnerDirectory = directoryOf(MERCHANTS, BILLERS);

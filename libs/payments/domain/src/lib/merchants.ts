/**
 * Merchants: which accept the wallet, on which channels, and how they are paid. The registry itself
 * is data (one `registry-merchant.<id>` stream each, `registry.ts`); `MERCHANTS` are the merchants it
 * is seeded with when a store starts empty.
 */
export type PaymentChannel = 'online' | 'qr' | 'pos';
export const PAYMENT_CHANNELS: readonly PaymentChannel[] = ['online', 'qr', 'pos'];

/**
 * How a merchant is paid. `wallet`: the merchant's account is in the wallet's own ledger and no
 * outside party has to approve, so one wallet decision takes the money (reservation and capture
 * together). `acquirer`: an outside acquirer approves each payment between the reservation and the
 * capture.
 */
export type MerchantSettlement = 'wallet' | 'acquirer';

export interface MerchantEntry {
  merchantId: string;
  name: string;
  acceptsWallet: boolean;
  channels: readonly PaymentChannel[];
  settlement: MerchantSettlement;
}

export const MERCHANTS: readonly MerchantEntry[] = [
  // The bank's own canteen and a shop with a merchant account at the bank settle in the wallet; the
  // online bookshop is paid through its acquirer.
  { merchantId: 'm-canteen', name: '工行食堂', acceptsWallet: true, channels: ['online', 'qr', 'pos'], settlement: 'wallet' },
  { merchantId: 'm-coffee', name: '咖啡小店', acceptsWallet: true, channels: ['qr', 'pos'], settlement: 'wallet' },
  { merchantId: 'm-bookshop', name: '网上书店', acceptsWallet: true, channels: ['online', 'qr'], settlement: 'acquirer' },
  { merchantId: 'm-cash-only', name: '现金小卖部', acceptsWallet: false, channels: [], settlement: 'acquirer' },
];

export type MerchantCheck =
  { ok: true; merchant: MerchantEntry } | { ok: false; code: 'MERCHANT_NOT_SUPPORTED' | 'CHANNEL_NOT_SUPPORTED'; message: string };

export function checkMerchant(
  merchantOf: (merchantId: string) => MerchantEntry | undefined,
  merchantId: string,
  channel: PaymentChannel,
): MerchantCheck {
  const merchant = merchantOf(merchantId);
  if (!merchant || !merchant.acceptsWallet)
    return { ok: false, code: 'MERCHANT_NOT_SUPPORTED', message: `merchant ${merchantId} does not accept the wallet` };
  if (!merchant.channels.includes(channel))
    return { ok: false, code: 'CHANNEL_NOT_SUPPORTED', message: `merchant ${merchantId} does not accept the wallet on channel ${channel}` };
  return { ok: true, merchant };
}

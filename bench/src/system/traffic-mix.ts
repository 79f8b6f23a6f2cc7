/**
 * The traffic of the system bench: the kinds of payment in the mix and their shares, the merchants
 * they go to, and the order one payment of the mix makes, whatever carries it (a Kafka command in
 * load.ts, an HTTP request in http-load.ts).
 */

export type PaymentKind = 'merchant' | 'transfer' | 'card_topup' | 'unknown_merchant' | 'over_balance';

/** Share of each kind in the traffic; merchant payments go to a few busy merchants. */
export interface TrafficMix {
  kinds: Array<{ kind: PaymentKind; weight: number }>;
  merchants: Array<{ merchantId: string; channel: 'online' | 'qr' | 'pos'; weight: number }>;
}

export const REALISTIC_MIX: TrafficMix = {
  kinds: [
    { kind: 'merchant', weight: 80 },
    { kind: 'transfer', weight: 9 },
    { kind: 'card_topup', weight: 9 },
    { kind: 'unknown_merchant', weight: 1 },
    { kind: 'over_balance', weight: 1 },
  ],
  merchants: [
    { merchantId: 'm-canteen', channel: 'qr', weight: 60 },
    { merchantId: 'm-coffee', channel: 'pos', weight: 30 },
    { merchantId: 'm-bookshop', channel: 'online', weight: 10 },
  ],
};

/** Every merchant payment to one merchant: the hot-spot run. */
export const HOT_MERCHANT_MIX: TrafficMix = { ...REALISTIC_MIX, merchants: [{ merchantId: 'm-canteen', channel: 'qr', weight: 1 }] };

/** Draws one item, each with a chance proportional to its weight (`random` in [0, 1)). */
export function pick<T extends { weight: number }>(items: readonly T[], random: number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let at = random * total;
  for (const item of items) {
    at -= item.weight;
    if (at < 0) return item;
  }
  return items[items.length - 1]!;
}

/** What one payment of the mix asks for, whatever carries it (a Kafka command or an HTTP request). */
export type PaymentOrder =
  | { kind: 'merchant'; merchantId: string; channel: 'online' | 'qr' | 'pos'; amountMinor: string }
  | { kind: 'transfer'; recipientPhone: string; amountMinor: string }
  | { kind: 'card_topup'; cardId: string; amountMinor: string };

/**
 * The payment a payer makes for `kind`: ¥1.00 – ¥50.00 to a merchant of the mix, to another user,
 * or from the payer's card; the failing kinds pay a merchant that does not take the wallet, or
 * more than any payer holds (¥40,000).
 */
export function orderFor<U extends { userId: string; phone: string; cardId: string }>(
  kind: PaymentKind,
  payer: U,
  users: readonly U[],
  mix: TrafficMix,
): PaymentOrder {
  const amountMinor = String(100 + Math.floor(Math.random() * 4_900));
  switch (kind) {
    case 'merchant':
    case 'unknown_merchant':
    case 'over_balance': {
      const merchant =
        kind === 'unknown_merchant' ? { merchantId: 'm-cash-only', channel: 'qr' as const } : pick(mix.merchants, Math.random());
      return {
        kind: 'merchant',
        merchantId: merchant.merchantId,
        channel: merchant.channel,
        amountMinor: kind === 'over_balance' ? '4000000' : amountMinor,
      };
    }
    case 'transfer': {
      let recipient = users[Math.floor(Math.random() * users.length)]!;
      if (recipient.userId === payer.userId) recipient = users[(users.indexOf(payer) + 1) % users.length]!;
      return { kind: 'transfer', recipientPhone: recipient.phone, amountMinor };
    }
    case 'card_topup':
      return { kind: 'card_topup', cardId: payer.cardId, amountMinor };
  }
}

import { REALISTIC_MIX, orderFor } from './traffic-mix';

const users = [
  { userId: 'u1', phone: '13800000001', cardId: 'c1' },
  { userId: 'u2', phone: '13800000002', cardId: 'c2' },
];

describe('the payment each kind of the mix makes', () => {
  it('pays a merchant of the mix ¥1.00 – ¥50.00, or fails as its kind says', () => {
    const paid = orderFor('merchant', users[0]!, users, REALISTIC_MIX);
    expect(paid.kind).toBe('merchant');
    expect(REALISTIC_MIX.merchants.map((m) => m.merchantId)).toContain(paid.kind === 'merchant' ? paid.merchantId : '');
    expect(Number(paid.amountMinor)).toBeGreaterThanOrEqual(100);
    expect(Number(paid.amountMinor)).toBeLessThan(5_000);
    expect(orderFor('unknown_merchant', users[0]!, users, REALISTIC_MIX)).toMatchObject({ kind: 'merchant', merchantId: 'm-cash-only' });
    expect(orderFor('over_balance', users[0]!, users, REALISTIC_MIX)).toMatchObject({ kind: 'merchant', amountMinor: '4000000' });
  });

  it('transfers to another user, and tops up from the payer’s own card', () => {
    for (let i = 0; i < 20; i++)
      expect(orderFor('transfer', users[0]!, users, REALISTIC_MIX)).toMatchObject({ kind: 'transfer', recipientPhone: '13800000002' });
    expect(orderFor('card_topup', users[1]!, users, REALISTIC_MIX)).toMatchObject({ kind: 'card_topup', cardId: 'c2' });
  });
});

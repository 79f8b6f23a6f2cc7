import {
  InvalidAccountId,
  UnbalancedTransaction,
  accountId,
  assertBalanced,
  isAccountId,
  parseAccountId,
  parseSignedMinor,
  posting,
  postingAmountMinor,
  transferPostings,
  trialBalance,
  type LedgerTransaction,
} from './ledger';

describe('account ids', () => {
  it('builds every kind of account', () => {
    expect([
      accountId.wallet('w-1'),
      accountId.merchant('m-1'),
      accountId.biller('state-grid'),
      accountId.cardClearing('ICBC'),
      accountId.providerClearing('alipay'),
      accountId.providerClearing('wechat'),
      accountId.branchCash('0200-001'),
      accountId.transferClearing(),
      accountId.refundClearing(),
    ]).toEqual([
      'wallet:w-1',
      'merchant:m-1',
      'biller:state-grid',
      'clearing:card:ICBC',
      'clearing:provider:alipay',
      'clearing:provider:wechat',
      'cash:branch:0200-001',
      'clearing:transfer',
      'clearing:refund',
    ]);
  });

  it.each([[''], ['a:b'], ['with space'], ['x'.repeat(129)]])('refuses the segment %p', (segment) => {
    expect(() => accountId.wallet(segment)).toThrow(InvalidAccountId);
  });

  it('refuses an unknown provider', () => {
    expect(() => accountId.providerClearing('paypal' as never)).toThrow(InvalidAccountId);
  });

  it.each([
    ['wallet:w-1', true],
    ['clearing:transfer', true],
    ['clearing:provider:paypal', false],
    ['shop:1', false],
    ['wallet:', false],
    [42, false],
  ])('recognises %p as %p', (value, expected) => {
    expect(isAccountId(value)).toBe(expected);
    if (expected) expect(parseAccountId(value)).toBe(value);
    else expect(() => parseAccountId(value)).toThrow(InvalidAccountId);
  });
});

describe('postings', () => {
  it('keeps signed amounts as canonical decimal strings', () => {
    expect(posting('wallet:w-1', -300n)).toEqual({ account: 'wallet:w-1', amountMinor: '-300' });
    expect(postingAmountMinor({ account: 'wallet:w-1', amountMinor: '-300' })).toBe(-300n);
    expect(parseSignedMinor('0')).toBe(0n);
    expect(() => parseSignedMinor('-0')).toThrow();
    expect(() => parseSignedMinor('--1')).toThrow();
    expect(() => parseSignedMinor('+1')).toThrow();
  });

  it('builds a two-leg transfer and refuses non-positive amounts or a self-transfer', () => {
    expect(transferPostings('clearing:card:ICBC', 'wallet:w-1', 100n)).toEqual([
      { account: 'clearing:card:ICBC', amountMinor: '-100' },
      { account: 'wallet:w-1', amountMinor: '100' },
    ]);
    expect(() => transferPostings('wallet:w-1', 'merchant:m', 0n)).toThrow(UnbalancedTransaction);
    expect(() => transferPostings('wallet:w-1', 'wallet:w-1', 1n)).toThrow(UnbalancedTransaction);
  });
});

describe('assertBalanced', () => {
  it('accepts postings that sum to zero, with more than two legs', () => {
    expect(() =>
      assertBalanced([
        { account: 'wallet:w-1', amountMinor: '-1000' },
        { account: 'merchant:m-1', amountMinor: '990' },
        { account: 'clearing:refund', amountMinor: '10' },
      ]),
    ).not.toThrow();
  });

  it.each([
    ['a single leg', [{ account: 'wallet:w-1', amountMinor: '0' }]],
    [
      'an unbalanced pair',
      [
        { account: 'wallet:w-1', amountMinor: '-100' },
        { account: 'merchant:m', amountMinor: '99' },
      ],
    ],
    [
      'a zero leg',
      [
        { account: 'wallet:w-1', amountMinor: '0' },
        { account: 'merchant:m', amountMinor: '0' },
      ],
    ],
    [
      'a bad amount',
      [
        { account: 'wallet:w-1', amountMinor: '-1.5' },
        { account: 'merchant:m', amountMinor: '1.5' },
      ],
    ],
    [
      'an unknown account',
      [
        { account: 'bank:vault', amountMinor: '-1' },
        { account: 'merchant:m', amountMinor: '1' },
      ],
    ],
  ])('throws for %s', (_what, postings) => {
    expect(() => assertBalanced(postings as never, 'tx-1')).toThrow(UnbalancedTransaction);
  });
});

describe('trialBalance', () => {
  const topUp: LedgerTransaction = { transactionId: 't1', postings: transferPostings('clearing:card:ICBC', 'wallet:w-1', 1_000n) };
  const payment: LedgerTransaction = { transactionId: 't2', postings: transferPostings('wallet:w-1', 'merchant:m-1', 300n) };

  it('sums postings per account, with a zero total', () => {
    const result = trialBalance([topUp, payment]);
    expect(result.totalMinor).toBe(0n);
    expect(result.transactionCount).toBe(2);
    expect(Object.fromEntries(result.byAccount)).toEqual({ 'clearing:card:ICBC': -1_000n, 'wallet:w-1': 700n, 'merchant:m-1': 300n });
  });

  it('counts a transaction delivered twice once', () => {
    const result = trialBalance([topUp, payment, topUp]);
    expect(result.byAccount.get('wallet:w-1')).toBe(700n);
    expect(result.transactionCount).toBe(2);
  });

  it('throws for a transaction id reused with other postings, and for an unbalanced transaction', () => {
    expect(() => trialBalance([topUp, { ...payment, transactionId: 't1' }])).toThrow(UnbalancedTransaction);
    expect(() =>
      trialBalance([
        {
          transactionId: 'bad',
          postings: [
            { account: 'wallet:w-1', amountMinor: '1' },
            { account: 'merchant:m', amountMinor: '1' },
          ],
        },
      ]),
    ).toThrow(UnbalancedTransaction);
  });

  it('is empty for no transactions', () => {
    expect(trialBalance([])).toEqual({ byAccount: new Map(), totalMinor: 0n, transactionCount: 0 });
  });
});

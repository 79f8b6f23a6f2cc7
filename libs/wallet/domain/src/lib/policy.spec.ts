import { createWalletDecider } from './decider';
import { DEFAULT_WALLET_POLICY, InvalidWalletPolicy, assertValidPolicy, shanghaiDay, type WalletPolicy } from './policy';

describe('shanghaiDay', () => {
  it.each([
    ['2026-03-10T15:59:59.999Z', '2026-03-10'],
    ['2026-03-10T16:00:00.000Z', '2026-03-11'],
    ['2026-03-10T00:00:00.000Z', '2026-03-10'],
    ['2026-12-31T16:00:00.000Z', '2027-01-01'],
    ['2028-02-28T16:30:00.000Z', '2028-02-29'],
    ['2026-03-11T00:30:00+08:00', '2026-03-11'],
  ])('puts %s on the Shanghai day %s', (instant, day) => {
    expect(shanghaiDay(instant)).toBe(day);
    expect(shanghaiDay(new Date(instant))).toBe(day);
  });

  it('has no daylight saving: midnight is 16:00Z in summer too', () => {
    expect(shanghaiDay('2026-07-01T15:59:59.999Z')).toBe('2026-07-01');
    expect(shanghaiDay('2026-07-01T16:00:00.000Z')).toBe('2026-07-02');
  });

  it('throws for something that is not an instant', () => {
    expect(() => shanghaiDay('tomorrow')).toThrow(RangeError);
  });
});

describe('wallet policy', () => {
  it('accepts the defaults', () => {
    expect(() => assertValidPolicy(DEFAULT_WALLET_POLICY)).not.toThrow();
    expect(createWalletDecider(DEFAULT_WALLET_POLICY).policy).toBe(DEFAULT_WALLET_POLICY);
  });

  const broken = (change: (policy: { -readonly [K in keyof WalletPolicy]: unknown }) => void): WalletPolicy => {
    const policy: { -readonly [K in keyof WalletPolicy]: unknown } = {
      ...DEFAULT_WALLET_POLICY,
      tiers: { ...DEFAULT_WALLET_POLICY.tiers },
    };
    change(policy);
    return policy as WalletPolicy;
  };

  it.each([
    ['a missing tier', broken((p) => void delete (p.tiers as Record<string, unknown>)['premium'])],
    [
      'a zero limit',
      broken((p) => void ((p.tiers as Record<string, unknown>)['basic'] = { ...DEFAULT_WALLET_POLICY.tiers.basic, balanceCapMinor: 0n })),
    ],
    [
      'a number limit',
      broken(
        (p) => void ((p.tiers as Record<string, unknown>)['basic'] = { ...DEFAULT_WALLET_POLICY.tiers.basic, dailyDebitLimitMinor: 5 }),
      ),
    ],
    [
      'a per-payment limit above the daily one',
      broken(
        (p) =>
          void ((p.tiers as Record<string, unknown>)['basic'] = { ...DEFAULT_WALLET_POLICY.tiers.basic, perPaymentLimitMinor: 10n ** 12n }),
      ),
    ],
    ['an unknown frozen-credit policy', broken((p) => void (p.creditsWhileFrozen = 'maybe'))],
  ])('refuses %s when the decider is created', (_what, policy) => {
    expect(() => createWalletDecider(policy)).toThrow(InvalidWalletPolicy);
  });
});

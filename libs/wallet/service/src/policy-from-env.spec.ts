import { DEFAULT_WALLET_POLICY, assertValidPolicy } from '@ledger/wallet-domain';
import { policyFromEnv } from './wallet-runtime';

describe('wallet policy from the environment', () => {
  it('is the default policy when nothing is set', () => {
    expect(policyFromEnv({})).toEqual(DEFAULT_WALLET_POLICY);
  });

  it('overrides single limits of single tiers, keeping the rest', () => {
    const policy = policyFromEnv({
      WALLET_TIER_LIMITS: JSON.stringify({ basic: { dailyDebitLimitMinor: '300000' } }),
      WALLET_CREDITS_WHILE_FROZEN: 'reject',
    });
    expect(policy.tiers.basic).toEqual({ ...DEFAULT_WALLET_POLICY.tiers.basic, dailyDebitLimitMinor: 300_000n });
    expect(policy.tiers.verified).toEqual(DEFAULT_WALLET_POLICY.tiers.verified);
    expect(policy.creditsWhileFrozen).toBe('reject');
    expect(() => assertValidPolicy(policy)).not.toThrow();
  });

  it.each([
    [{ WALLET_TIER_LIMITS: '{"gold":{}}' }, /unknown tier gold/],
    [{ WALLET_TIER_LIMITS: '{"basic":{"monthlyLimitMinor":"1"}}' }, /unknown limit basic.monthlyLimitMinor/],
    [{ WALLET_TIER_LIMITS: '{"basic":{"balanceCapMinor":"12.5"}}' }, /amount must be/],
    [{ WALLET_CREDITS_WHILE_FROZEN: 'sometimes' }, /accept or reject/],
  ])('refuses %p', (env, message) => {
    expect(() => policyFromEnv(env)).toThrow(message);
  });

  it('lets the domain refuse an inconsistent policy (per-payment above daily)', () => {
    const policy = policyFromEnv({ WALLET_TIER_LIMITS: JSON.stringify({ basic: { perPaymentLimitMinor: '99999999' } }) });
    expect(() => assertValidPolicy(policy)).toThrow(/per-payment limit above the daily limit/);
  });
});

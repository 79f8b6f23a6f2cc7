/**
 * Configurable rules: tiers with their limits, and what happens to credits on a frozen wallet.
 * The policy is given to `createWalletDecider(policy)`; it influences only `decide`, never `evolve`,
 * so changing the policy never changes how history replays (what-if replay runs `decide` with a
 * different policy over the same commands).
 */
export type WalletTier = 'basic' | 'verified' | 'premium';
export const WALLET_TIERS: readonly WalletTier[] = ['basic', 'verified', 'premium'];

export interface TierLimits {
  /** Largest single reservation. */
  readonly perPaymentLimitMinor: bigint;
  /** Largest sum of reservations per Asia/Shanghai calendar day (released/expired holds give theirs back). */
  readonly dailyDebitLimitMinor: bigint;
  /** Largest total balance a credit may produce. */
  readonly balanceCapMinor: bigint;
}

export type TierPolicy = Readonly<Record<WalletTier, TierLimits>>;

/** `accept`: a frozen wallet still receives money (nobody can take it out). `reject`: WALLET_FROZEN. */
export type FrozenCreditPolicy = 'accept' | 'reject';

export interface WalletPolicy {
  readonly tiers: TierPolicy;
  readonly creditsWhileFrozen: FrozenCreditPolicy;
}

const YUAN = 100n;

/**
 * Defaults modelled on the tiers of Chinese digital wallets: an unverified (basic) wallet is small,
 * a verified one larger, a premium one large. Deployments override them through configuration.
 */
export const DEFAULT_WALLET_POLICY: WalletPolicy = {
  tiers: {
    basic: { perPaymentLimitMinor: 2_000n * YUAN, dailyDebitLimitMinor: 5_000n * YUAN, balanceCapMinor: 10_000n * YUAN },
    verified: { perPaymentLimitMinor: 50_000n * YUAN, dailyDebitLimitMinor: 100_000n * YUAN, balanceCapMinor: 500_000n * YUAN },
    premium: { perPaymentLimitMinor: 500_000n * YUAN, dailyDebitLimitMinor: 1_000_000n * YUAN, balanceCapMinor: 10_000_000n * YUAN },
  },
  creditsWhileFrozen: 'accept',
};

export class InvalidWalletPolicy extends Error {
  constructor(reason: string) {
    super(`invalid wallet policy: ${reason}`);
    this.name = 'InvalidWalletPolicy';
  }
}

/** Throws `InvalidWalletPolicy` for a policy that cannot be right (missing tier, non-positive limit). */
export function assertValidPolicy(policy: WalletPolicy): void {
  for (const tier of WALLET_TIERS) {
    const limits = policy.tiers[tier];
    if (limits === undefined) throw new InvalidWalletPolicy(`no limits for tier ${tier}`);
    for (const [name, value] of Object.entries(limits)) {
      if (typeof value !== 'bigint' || value <= 0n) throw new InvalidWalletPolicy(`${tier}.${name} must be a positive bigint`);
    }
    if (limits.perPaymentLimitMinor > limits.dailyDebitLimitMinor)
      throw new InvalidWalletPolicy(`${tier}: per-payment limit above the daily limit`);
  }
  if (policy.creditsWhileFrozen !== 'accept' && policy.creditsWhileFrozen !== 'reject') {
    throw new InvalidWalletPolicy(`creditsWhileFrozen must be accept or reject`);
  }
}

/** China Standard Time is UTC+8 all year (no daylight saving since 1991), so a fixed offset is exact. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/**
 * The Asia/Shanghai calendar day ("2026-01-02") of an instant. Daily limits reset at Shanghai
 * midnight, which is 16:00 UTC of the previous day.
 */
export function shanghaiDay(instant: string | Date): string {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

import { journalProjection } from './journal';
import { paymentOutcomesProjection } from './payment-outcomes';
import type { Projection } from './projection';
import { walletBalancesProjection } from './wallet-balances';

export * from './projection';
export { walletBalancesProjection } from './wallet-balances';
export { journalProjection } from './journal';
export { paymentOutcomesProjection } from './payment-outcomes';

/** Every read model the projector maintains, by name. */
export const PROJECTIONS: readonly Projection[] = [walletBalancesProjection, journalProjection, paymentOutcomesProjection];

export function projectionNamed(name: string): Projection {
  const projection = PROJECTIONS.find((candidate) => candidate.name === name);
  if (!projection) throw new Error(`unknown projection "${name}"; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
  return projection;
}

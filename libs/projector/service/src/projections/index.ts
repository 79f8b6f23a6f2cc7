import { journalProjection } from './journal';
import { paymentOutcomesProjection } from './payment-outcomes';
import type { Projection } from './projection';
import { walletBalancesProjection } from './wallet-balances';
import { statementsProjection } from './statements';
import { merchantVolumeProjection } from './merchant-volume';
import { cardBindingsProjection } from './card-bindings';
import { riskProjection } from './risk';
import { holdsProjection } from './holds';
import { identityStaffActionsProjection, paymentsStaffActionsProjection } from './staff-actions';

export * from './projection';
export { walletBalancesProjection } from './wallet-balances';
export { journalProjection } from './journal';
export { paymentOutcomesProjection } from './payment-outcomes';
export { statementsProjection } from './statements';
export { merchantVolumeProjection } from './merchant-volume';
export { cardBindingsProjection } from './card-bindings';
export { riskProjection } from './risk';
export { holdsProjection } from './holds';
export * from './staff-actions';

/** Every read model the projector maintains, by name. */
export const PROJECTIONS: readonly Projection[] = [
  walletBalancesProjection,
  journalProjection,
  paymentOutcomesProjection,
  statementsProjection,
  merchantVolumeProjection,
  cardBindingsProjection,
  riskProjection,
  holdsProjection,
  identityStaffActionsProjection,
  paymentsStaffActionsProjection,
];

export function projectionNamed(name: string): Projection {
  const projection = PROJECTIONS.find((candidate) => candidate.name === name);
  if (!projection) throw new Error(`unknown projection "${name}"; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
  return projection;
}

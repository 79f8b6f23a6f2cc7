/**
 * The in-process stand-ins for the payments service's partners (acquirer, card issuer's money
 * movements, billers), which local runs and tests use and which can be told to decline, time out or
 * wait. Their ports are in `@ledger/payments-domain`; the simulators are not domain code.
 */
export { SimulatedAcquirer } from './simulated-acquirer';
export { SimulatedBiller } from './simulated-biller';
export { SimulatedCardGateway } from './simulated-card-gateway';

/**
 * The partner simulator (`apps/partners` serves it; tests start their own in process): every outside
 * party of the ledger behind the HTTP APIs of `@ledger/partners-http`, with switches for every
 * failure a partner shows. Development and tests only: the services refuse it in a deployment.
 */
export { AcquirerSimulator } from './acquirer/acquirer-simulator';
export { BillerSimulator } from './biller/biller-simulator';
export { FAULT_MODES, FaultSwitches, SIMULATED_PARTNERS, type Fault, type FaultMode, type SimulatedPartner } from './faults';
export { CardIssuerSimulator, type CardDeclineReason, type CardIssuerOperation, type IssuerAnswer } from './issuer/card-issuer-simulator';
export { PartnerSimulator, type PartnerSimulatorOptions } from './partner-simulator';
export {
  ProviderSimulator,
  deliverTo,
  type CallbackDelivery,
  type CallbackTampering,
  type PaidAtProvider,
  type ProviderCallback,
} from './providers/provider-simulator';
export { SimulatedFailure, type FailureKind } from './simulated-failure';
export { SmsInbox, type DeliveredSms } from './sms/sms-inbox';
export { SimulatorClient } from './simulator-client';

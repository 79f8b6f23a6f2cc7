/**
 * What the cross-service tests (apps/e2e) look into beyond the service's public entry: the runtime
 * they start and stop, the timers they fire, the signatures of the providers' callbacks, and
 * the names of the service's own read models and audit streams.
 */
export { PaymentsRuntime, type PaymentsServiceOptions } from '../payments-runtime';
export { PaymentTimers } from '../payment-timers';
export { PersonalFields } from '../personal-fields';
export { signProviderCallback } from '../provider-signature';
export { READ_SCHEMA, USER_PAYMENTS_SUBSCRIPTION, type UserPaymentsPage } from '../user-payments';
export { supportAuditStreamOf, type SupportAccessPage } from '../support-access';
// The deterministic simulation (`libs/simulation`) runs the process manager itself, without Kafka or PostgreSQL.
export { PaymentDriver, type DriverOptions, type PaymentSecrets } from '../payment-driver';
export { createPaymentCodec } from '../payment-codec';
export { timerChangesOf, timerKindFor, type TimerKind } from '../payment-timers';

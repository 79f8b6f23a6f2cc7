/**
 * Payments domain: each money flow as a pure process manager over the payment's own stream, the
 * merchant and biller registries and the ports to partners (their HTTP adapters are the service's). No
 * I/O, no framework.
 */
export * from './lib/codes';
export * from './lib/merchants';
export * from './lib/acquirer';
export * from './lib/payment';
export * from './lib/card-gateway';
export * from './lib/billers';
export * from './lib/partner-directory';
export * from './lib/registry';
export * from './lib/risk';

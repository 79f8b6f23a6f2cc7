/**
 * Wallet domain: the wallet aggregate as a pure decider (balances, holds, tier limits, freeze,
 * idempotency) and the double-entry ledger helpers. No I/O, no framework.
 */
export * from './lib/codes';
export * from './lib/commands';
export * from './lib/decider';
export * from './lib/events';
export * from './lib/ledger';
export * from './lib/persistent-map';
export * from './lib/policy';
export * from './lib/state';
export * from './lib/statement';

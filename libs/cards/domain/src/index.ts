/**
 * Cards domain: card-number rules, the CardIssuer port, and the two
 * deciders of card binding (fingerprint reservation across users, a user's cards). Pure: no I/O,
 * no framework; imports only `@ledger/util`.
 */
export * from './lib/codes';
export * from './lib/bin-table';
export * from './lib/card-number';
export * from './lib/card-issuer';
export * from './lib/events';
export * from './lib/commands';
export { FINGERPRINT_FORMAT } from './lib/guards';
export * from './lib/card-fingerprint-reservation';
export * from './lib/user-cards';

export * from './headers';
export * from './topics';
export * from './command';
export * from './command-result';
export * from './system';
export * as identityContract from './identity';
export * as cardsContract from './cards';
export * as walletContract from './wallet';
export * as paymentsContract from './payments';

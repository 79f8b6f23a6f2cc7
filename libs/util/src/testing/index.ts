/** Test support for every layer (`@ledger/util/testing`): given/when/then and the test bank's cards; nothing here does I/O. */
export * from './given-when-then';
export * from './test-cards';

/** Test support for the pure libraries (`@ledger/util/testing`): nothing here does I/O. */
export * from './given-when-then';

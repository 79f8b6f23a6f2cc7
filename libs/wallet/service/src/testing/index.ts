export * from './wallet-harness';

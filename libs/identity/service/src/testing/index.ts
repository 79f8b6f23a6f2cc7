export * from './identity-harness';

export * from './cards-harness';

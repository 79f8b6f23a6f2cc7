export * from './headers';
export * from './topics';
export * from './command';
export * from './command-result';
export * from './system';

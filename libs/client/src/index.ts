export * from './lib/catalogue';
export * from './lib/command-sender';
export * from './lib/dedupe-window';
export * from './lib/event-subscriber';

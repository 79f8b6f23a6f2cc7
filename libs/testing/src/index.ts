export * from './isolation';
export * from './kafka';
export * from './visibility';
export * from './senders';
export * from './secret-scan';
export * from './breakable-kafka';

export * from './decider';
export * from './clock';
export * from './money';
export * from './group-commit';
export * from './keyed-mutex';
export * from './dev-mode';
export * from './masking';
export * from './page-cursor';

export * from './paths';
export * from './processes';
export * from './ports';
export * from './kafka';
export * from './postgres';
export * from './stack-file';
export * from './kafka-grants';
export * from './postgres-backup';

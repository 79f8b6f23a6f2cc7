export * from './metrics';
export * from './health';
export * from './sampling';
export * from './management-server';
export * from './management-config';

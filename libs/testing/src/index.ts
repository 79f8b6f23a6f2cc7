export * from './isolation';
export * from './kafka';

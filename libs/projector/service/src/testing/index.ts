export * from './people';
export * from './traffic';
export * from './visibility';

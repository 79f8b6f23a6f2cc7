export * from './lib/keyring';
export * from './lib/field-encryption';
export * from './lib/keyed-hash';
export * from './lib/constant-time';
export * from './lib/password-hash';
export * from './lib/totp';
export * from './lib/random-code';
export * from './lib/access-token';

import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Login passwords: argon2id through Node's built-in `crypto.argon2` (Node ≥ 24.7), stored as a
 * PHC string that carries its own parameters and salt:
 *
 *     $argon2id$v=19$m=19456,t=2,p=1$<salt b64, no padding>$<hash b64, no padding>
 *
 * This is the format of the reference implementation and of libargon2-based libraries, so hashes
 * stay portable. Login is rare, so the memory-hard cost is affordable here (unlike payments).
 */
export interface Argon2Params {
  /** Memory in KiB. */
  memoryKiB: number;
  /** Passes over memory (t). */
  passes: number;
  /** Lanes (p). */
  parallelism: number;
  saltBytes: number;
  hashBytes: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id option "m=19 MiB, t=2, p=1". */
export const ARGON2_OWASP_PARAMS: Readonly<Argon2Params> = Object.freeze({
  memoryKiB: 19_456,
  passes: 2,
  parallelism: 1,
  saltBytes: 16,
  hashBytes: 32,
});

/** Cheap parameters for unit tests only: fast, and worthless against an attacker. */
export const ARGON2_TEST_PARAMS: Readonly<Argon2Params> = Object.freeze({
  memoryKiB: 64,
  passes: 2,
  parallelism: 1,
  saltBytes: 16,
  hashBytes: 32,
});

/**
 * Upper bounds accepted when verifying. A stored hash is data: one edited to demand 64 GiB of
 * memory must not take the service down, so verification refuses it instead.
 */
const MAX_MEMORY_KIB = 1_048_576;
const MAX_PASSES = 16;
const MAX_PARALLELISM = 16;
const ARGON2_VERSION = 19;

const PHC = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export class PasswordHashFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordHashFormatError';
  }
}

interface ParsedHash {
  memoryKiB: number;
  passes: number;
  parallelism: number;
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer, params: Omit<ParsedHash, 'salt' | 'hash'>, hashBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      {
        message: Buffer.from(password, 'utf8'),
        nonce: salt,
        memory: params.memoryKiB,
        passes: params.passes,
        parallelism: params.parallelism,
        tagLength: hashBytes,
      },
      (error, derivedKey) => (error === null ? resolve(derivedKey) : reject(error)),
    );
  });
}

function b64(buffer: Buffer): string {
  return buffer.toString('base64').replace(/=+$/, '');
}

function parse(stored: string): ParsedHash {
  const match = PHC.exec(stored);
  if (match === null) throw new PasswordHashFormatError('not an argon2id PHC string');
  const [, version, m, t, p, salt, hash] = match.map((part) => part ?? '') as [string, string, string, string, string, string, string];
  if (Number(version) !== ARGON2_VERSION) throw new PasswordHashFormatError(`unsupported argon2 version ${version}`);
  const parsed = {
    memoryKiB: Number(m),
    passes: Number(t),
    parallelism: Number(p),
    salt: Buffer.from(salt, 'base64'),
    hash: Buffer.from(hash, 'base64'),
  };
  if (parsed.memoryKiB > MAX_MEMORY_KIB || parsed.passes > MAX_PASSES || parsed.parallelism > MAX_PARALLELISM || parsed.parallelism < 1) {
    throw new PasswordHashFormatError('argon2 parameters out of the accepted range');
  }
  if (parsed.salt.length < 8 || parsed.hash.length < 16) throw new PasswordHashFormatError('argon2 salt or hash too short');
  return parsed;
}

/** Hashes a login password with a fresh random salt. Asynchronous: the work runs off the event loop. */
export async function hashLoginPassword(password: string, params: Readonly<Argon2Params> = ARGON2_OWASP_PARAMS): Promise<string> {
  const salt = randomBytes(params.saltBytes);
  const hash = await derive(password, salt, params, params.hashBytes);
  return `$argon2id$v=${ARGON2_VERSION}$m=${params.memoryKiB},t=${params.passes},p=${params.parallelism}$${b64(salt)}$${b64(hash)}`;
}

/**
 * Checks a password against a stored PHC string with the parameters stored in it. The comparison is
 * constant-time. Throws `PasswordHashFormatError` for a malformed or out-of-range stored hash
 * (that is data corruption, not a wrong password).
 */
export async function verifyLoginPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  const candidate = await derive(password, parsed.salt, parsed, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/** True when a stored hash is weaker than the current parameters; rehash it after the next successful login. */
export function loginPasswordNeedsRehash(stored: string, params: Readonly<Argon2Params> = ARGON2_OWASP_PARAMS): boolean {
  const parsed = parse(stored);
  return (
    parsed.memoryKiB < params.memoryKiB ||
    parsed.passes < params.passes ||
    parsed.parallelism < params.parallelism ||
    parsed.hash.length < params.hashBytes
  );
}

/** True for a string shaped like an argon2id PHC hash. */
export function isLoginPasswordHash(value: unknown): value is string {
  return typeof value === 'string' && PHC.test(value);
}

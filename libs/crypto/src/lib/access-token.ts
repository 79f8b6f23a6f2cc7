import { createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { DEV_MODE_VARIABLE, isDevMode } from '@ledger/util';

/**
 * Access tokens: compact JWTs (RFC 7519) signed with Ed25519 (`alg: EdDSA`) by their issuer's private
 * key and checked with its public keys, looked up by the `kid` header. Two issuers, each with its own
 * key and audience, so a verifier holds no key that could mint a token and a token of one kind is
 * never accepted as the other:
 *
 * - `user`: identity signs the app users' tokens at login and refresh (only identity holds the key);
 * - `staff`: the staff login signs the bank's staff's tokens, each with the agent's one role
 *   (`support` agent, counter `teller`, `supervisor`).
 *
 * Claims: `iss`, `aud`, `sub` (user or agent id), `role`, `did` (device), `iat`,
 * `exp`, `jti`. Verification allows EdDSA only (no `alg: none`, no algorithm switch), a key id the
 * verifier knows, the issuer and audience of the expected kind, and an unexpired token. Rotation:
 * verifiers list the old and the new public key, the issuer starts signing with the new one, and the
 * old one is dropped once its last tokens have expired (their lifetime is minutes).
 *
 * Refresh tokens are elsewhere (`refresh-token.ts`): 256 random bits of which only a keyed hash is kept.
 */
/** The staff's roles: each staff account has one (a person with two duties has two accounts). */
export const STAFF_ROLES = ['support', 'teller', 'supervisor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export type AccessTokenRole = 'user' | StaffRole;

export const TOKEN_ISSUERS = {
  user: { issuer: 'ledger-identity', audience: 'ledger-app-api', roles: ['user'] },
  staff: { issuer: 'ledger-staff', audience: 'ledger-staff-api', roles: STAFF_ROLES },
} as const satisfies Record<string, { issuer: string; audience: string; roles: readonly AccessTokenRole[] }>;
export type TokenKind = keyof typeof TOKEN_ISSUERS;

export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  role: AccessTokenRole;
  did: string;
  iat: number;
  exp: number;
  jti: string;
}

/** An issuer's signing key: an Ed25519 private key and the id its tokens name it by. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** The public keys a verifier trusts for one issuer, by key id (during a rotation, the old and the new). */
export type VerificationKeys = ReadonlyMap<string, KeyObject>;

const SUBJECT = /^[A-Za-z0-9-]{1,64}$/;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Signs a token of `kind` with the issuer's key; `role` defaults to the kind's first (users: `user`; staff: `support`). */
export async function signAccessToken(
  input: { userId: string; deviceId: string; now: Date; ttlMs: number; role?: AccessTokenRole },
  kind: TokenKind,
  key: SigningKey,
): Promise<{ token: string; expiresAt: Date }> {
  const { issuer, audience, roles } = TOKEN_ISSUERS[kind];
  const role = input.role ?? roles[0];
  if (!(roles as readonly AccessTokenRole[]).includes(role)) throw new Error(`a ${kind} token cannot carry the role ${role}`);
  const iat = Math.floor(input.now.getTime() / 1000);
  const exp = iat + Math.floor(input.ttlMs / 1000);
  const token = await new SignJWT({ role, did: input.deviceId })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: key.kid })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(input.userId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(key.privateKey);
  return { token, expiresAt: new Date(exp * 1000) };
}

export type AccessTokenCheck = { ok: true; kind: TokenKind; claims: AccessTokenClaims } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Checks a token against the public keys of each kind it may be (`keys`): the `kid` names the
 * issuer's key, whose kind then fixes the issuer, audience and role the claims must carry.
 */
export async function checkAccessToken(
  token: string,
  keys: Partial<Record<TokenKind, VerificationKeys>>,
  now: Date,
): Promise<AccessTokenCheck> {
  const invalid: AccessTokenCheck = { ok: false, reason: 'invalid' };
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return invalid;
  }
  const kind = (Object.keys(keys) as TokenKind[]).find((candidate) => kid !== undefined && keys[candidate]?.has(kid));
  if (kind === undefined || kid === undefined) return invalid;
  const { issuer, audience, roles } = TOKEN_ISSUERS[kind];
  try {
    const { payload } = await jwtVerify(token, keys[kind]!.get(kid)!, {
      algorithms: ['EdDSA'],
      issuer,
      audience,
      currentDate: now,
      requiredClaims: ['sub', 'iat', 'exp', 'jti'],
    });
    if (
      typeof payload.sub !== 'string' ||
      !SUBJECT.test(payload.sub) ||
      !(roles as readonly unknown[]).includes(payload['role']) ||
      typeof payload['did'] !== 'string'
    )
      return invalid;
    return { ok: true, kind, claims: payload as unknown as AccessTokenClaims };
  } catch (error) {
    return error instanceof errors.JWTExpired ? { ok: false, reason: 'expired' } : invalid;
  }
}

/** The claims of a valid, unexpired token of `kind`, or undefined. */
export async function verifyAccessToken(
  token: string,
  kind: TokenKind,
  keys: VerificationKeys,
  now: Date,
): Promise<AccessTokenClaims | undefined> {
  const check = await checkAccessToken(token, { [kind]: keys }, now);
  return check.ok ? check.claims : undefined;
}

/** A new random signing key (tests; in production keys are made by the key management system). */
export function generateSigningKey(kid = `k-${randomBytes(4).toString('hex')}`): SigningKey {
  return { kid, privateKey: generateKeyPairSync('ed25519').privateKey };
}

/** The public keys that verify tokens signed with these keys. */
export function verificationKeysOf(...signing: SigningKey[]): VerificationKeys {
  return new Map(signing.map((key) => [key.kid, createPublicKey(key.privateKey)]));
}

/** A signing key as a JSON Web Key (the form the environment variables take), e.g. to provision one. */
export function signingKeyJwk(key: SigningKey): Record<string, unknown> {
  return { ...key.privateKey.export({ format: 'jwk' }), kid: key.kid, alg: 'EdDSA', use: 'sig' };
}

/** The public half of a signing key as a JSON Web Key, for the verifiers' key set. */
export function publicKeyJwk(key: SigningKey): Record<string, unknown> {
  return { ...createPublicKey(key.privateKey).export({ format: 'jwk' }), kid: key.kid, alg: 'EdDSA', use: 'sig' };
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * An issuer's signing key from `variable` (an Ed25519 private JWK with its `kid`). In development
 * mode (`LEDGER_DEV_MODE=1`) a missing one falls back to the issuer's well-known development key
 * (worthless outside a developer's machine, like the development keyrings); otherwise it throws.
 */
export function signingKeyFromEnv(env: Env, variable: string, kind: TokenKind): SigningKey {
  const configured = env[variable]?.trim();
  if (configured) {
    const jwk = parseJson(configured, variable) as { kid?: unknown; kty?: unknown; crv?: unknown; d?: unknown };
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string')
      throw new Error(`${variable} must be an Ed25519 private JWK (kty OKP, crv Ed25519, with d)`);
    return { kid: keyId(jwk.kid, variable), privateKey: createPrivateKey({ key: jwk as never, format: 'jwk' }) };
  }
  if (!isDevMode(env))
    throw new Error(
      `${variable} is not set: give the ${kind} token issuer's signing key (the public development key needs ${DEV_MODE_VARIABLE}=1)`,
    );
  return developmentSigningKey(kind);
}

/**
 * A verifier's public keys for one issuer from `variable` (a JWK Set, `{"keys":[…]}`, Ed25519 public
 * keys with their `kid`s). In development mode a missing one means the development key's public half.
 */
export function verificationKeysFromEnv(env: Env, variable: string, kind: TokenKind): VerificationKeys {
  const configured = env[variable]?.trim();
  if (configured) {
    const set = parseJson(configured, variable) as { keys?: unknown };
    if (!Array.isArray(set.keys) || set.keys.length === 0)
      throw new Error(`${variable} must be a JWK Set with at least one key: {"keys":[…]}`);
    return new Map(
      set.keys.map((jwk: { kid?: unknown; kty?: unknown; crv?: unknown; d?: unknown }) => {
        if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new Error(`${variable}: every key must be Ed25519 (kty OKP, crv Ed25519)`);
        if (jwk.d !== undefined) throw new Error(`${variable} holds a private key: a verifier needs the public keys only`);
        return [keyId(jwk.kid, variable), createPublicKey({ key: jwk as never, format: 'jwk' })] as const;
      }),
    );
  }
  if (!isDevMode(env))
    throw new Error(
      `${variable} is not set: give the ${kind} token issuer's public keys (the public development key needs ${DEV_MODE_VARIABLE}=1)`,
    );
  return verificationKeysOf(developmentSigningKey(kind));
}

/** Ed25519's PKCS #8 prefix: a private key is this followed by its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The issuer's development key, derived from a public label: anyone can make it, so it proves nothing. */
function developmentSigningKey(kind: TokenKind): SigningKey {
  const seed = Buffer.from(hkdfSync('sha256', 'e-wallet-ledger development key (not secret)', 'ledger', `${kind}-token-ed25519`, 32));
  return {
    kid: `dev-${kind}`,
    privateKey: createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }),
  };
}

function keyId(kid: unknown, variable: string): string {
  if (typeof kid !== 'string' || !KEY_ID.test(kid))
    throw new Error(`${variable}: every key needs a kid of 1–64 letters, digits, '.', '_' or '-'`);
  return kid;
}

function parseJson(text: string, variable: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${variable} is not JSON`);
  }
}

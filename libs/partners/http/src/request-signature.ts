import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * How a request to a partner is signed (the kind of scheme card networks, acquirers and SMS gateways
 * use): HMAC-SHA256 with the secret the partner issued us under a key id, over the method, the path
 * with its query, a timestamp, a one-time nonce and the SHA-256 of the body. The partner refuses a
 * signature that does not verify, a timestamp outside its window, and a nonce it has seen.
 */
export const SIGNATURE_HEADERS = {
  keyId: 'x-partner-key-id',
  timestampMs: 'x-partner-timestamp',
  nonce: 'x-partner-nonce',
  signature: 'x-partner-signature',
} as const;

/** How far a signed request's timestamp may be from the receiver's clock, either way. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

/** One credential a partner gave us: its id (sent in clear) and the shared secret (never sent). */
export interface PartnerCredential {
  readonly keyId: string;
  readonly secret: string;
}

export interface SignedParts {
  readonly method: string;
  /** The path and query exactly as sent (`/acquirer/v1/authorizations`). */
  readonly path: string;
  readonly timestampMs: number;
  readonly nonce: string;
  readonly body: string;
}

function signingString(parts: SignedParts): string {
  const bodyHash = createHash('sha256').update(parts.body).digest('hex');
  return `${parts.method.toUpperCase()}\n${parts.path}\n${parts.timestampMs}\n${parts.nonce}\n${bodyHash}`;
}

export function signRequest(secret: string, parts: SignedParts): string {
  return createHmac('sha256', secret).update(signingString(parts)).digest('hex');
}

/** The four headers of a signed request, with a fresh nonce. */
export function signatureHeaders(credential: PartnerCredential, parts: Omit<SignedParts, 'nonce'>): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  return {
    [SIGNATURE_HEADERS.keyId]: credential.keyId,
    [SIGNATURE_HEADERS.timestampMs]: String(parts.timestampMs),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signRequest(credential.secret, { ...parts, nonce }),
  };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'unknown_key' | 'stale' | 'bad_signature' };

/** The receiver's side: is this signature valid now? (Replay of the nonce is the receiver's to track.) */
export function checkSignature(
  secretOf: (keyId: string) => string | undefined,
  headers: Readonly<Record<string, string | undefined>>,
  request: { method: string; path: string; body: string },
  nowMs: number,
): SignatureCheck {
  const keyId = headers[SIGNATURE_HEADERS.keyId];
  const timestamp = headers[SIGNATURE_HEADERS.timestampMs];
  const nonce = headers[SIGNATURE_HEADERS.nonce];
  const signature = headers[SIGNATURE_HEADERS.signature];
  if (!keyId || !timestamp || !nonce || !signature) return { ok: false, reason: 'missing' };
  const secret = secretOf(keyId);
  if (secret === undefined) return { ok: false, reason: 'unknown_key' };
  const timestampMs = Number(timestamp);
  if (!Number.isSafeInteger(timestampMs) || Math.abs(nowMs - timestampMs) > SIGNATURE_WINDOW_MS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signRequest(secret, { ...request, timestampMs, nonce }), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

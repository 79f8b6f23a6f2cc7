import { createHmac, randomBytes } from 'node:crypto';

/**
 * One-time passwords for the second factor (动态口令): HOTP (RFC 4226) and TOTP (RFC 6238), with
 * the defaults every authenticator app understands: HMAC-SHA1, 6 digits, 30-second steps.
 */
export type OtpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface HotpOptions {
  digits?: number;
  algorithm?: OtpAlgorithm;
}

export interface TotpOptions extends HotpOptions {
  stepSeconds?: number;
  /** Unix time (seconds) at which counting starts; RFC 6238's T0. */
  epochSeconds?: number;
}

export interface TotpVerifyOptions extends TotpOptions {
  /**
   * Steps accepted on either side of the current one, for clock drift and typing time. RFC 6238
   * §5.2 recommends at most one.
   */
  windowSteps?: number;
}

export const TOTP_DEFAULTS = Object.freeze({
  digits: 6,
  algorithm: 'sha1' as OtpAlgorithm,
  stepSeconds: 30,
  epochSeconds: 0,
  windowSteps: 1,
});

function checkDigits(digits: number): void {
  // Dynamic truncation yields 31 bits (max 2147483647), so more than 9 digits would not be uniform.
  if (!Number.isInteger(digits) || digits < 6 || digits > 9) throw new RangeError('OTP digits must be 6 to 9');
}

/** HOTP value for a counter (RFC 4226 §5.3, dynamic truncation). */
export function hotp(secret: Uint8Array, counter: bigint | number, options: HotpOptions = {}): string {
  const digits = options.digits ?? TOTP_DEFAULTS.digits;
  checkDigits(digits);
  const counterBytes = Buffer.alloc(8);
  counterBytes.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(options.algorithm ?? TOTP_DEFAULTS.algorithm, secret)
    .update(counterBytes)
    .digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** The TOTP time step containing an instant. */
export function totpTimeStep(timeMs: number, options: TotpOptions = {}): number {
  const stepSeconds = options.stepSeconds ?? TOTP_DEFAULTS.stepSeconds;
  return Math.floor((Math.floor(timeMs / 1000) - (options.epochSeconds ?? TOTP_DEFAULTS.epochSeconds)) / stepSeconds);
}

/** TOTP value at an instant (milliseconds since the Unix epoch). */
export function totp(secret: Uint8Array, timeMs: number, options: TotpOptions = {}): string {
  return hotp(secret, totpTimeStep(timeMs, options), options);
}

export type TotpVerification = { valid: true; timeStep: number } | { valid: false };

/**
 * Checks a code against the steps around `timeMs`. Returns the matched time step so that the caller
 * can refuse a second use of the same code (RFC 6238 §5.2). Every candidate is compared, and with a
 * constant-time comparison, so timing does not reveal which step matched.
 */
export function verifyTotp(secret: Uint8Array, code: string, timeMs: number, options: TotpVerifyOptions = {}): TotpVerification {
  const digits = options.digits ?? TOTP_DEFAULTS.digits;
  const windowSteps = options.windowSteps ?? TOTP_DEFAULTS.windowSteps;
  if (!Number.isInteger(windowSteps) || windowSteps < 0 || windowSteps > 10) throw new RangeError('windowSteps must be 0 to 10');
  if (code.length !== digits || !/^\d+$/.test(code)) return { valid: false };
  const current = totpTimeStep(timeMs, options);
  let matched: number | undefined;
  for (let step = current - windowSteps; step <= current + windowSteps; step += 1) {
    if (step < 0) continue;
    const expected = hotp(secret, step, options);
    let difference = 0;
    for (let index = 0; index < digits; index += 1) difference |= expected.charCodeAt(index) ^ code.charCodeAt(index);
    if (difference === 0 && matched === undefined) matched = step;
  }
  return matched === undefined ? { valid: false } : { valid: true, timeStep: matched };
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as authenticator apps expect in `otpauth://` URIs. */
export function base32Encode(bytes: Uint8Array): string {
  let output = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) output += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return output;
}

/** Decodes base32 case-insensitively, ignoring spaces and `=` padding (as people type secrets). */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value < 0) throw new RangeError(`invalid base32 character ${JSON.stringify(char)}`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return Buffer.from(bytes);
}

/** A fresh TOTP secret: 20 random bytes (160 bits, RFC 4226's recommended length for SHA-1). */
export function generateTotpSecret(bytes = 20): { secret: Buffer; base32: string } {
  if (bytes < 16) throw new RangeError('a TOTP secret needs at least 128 bits');
  const secret = randomBytes(bytes);
  return { secret, base32: base32Encode(secret) };
}

export interface ProvisioningUriInput {
  issuer: string;
  /** Shown in the app; use a masked phone number, never the full one. */
  accountName: string;
  secretBase32: string;
  digits?: number;
  stepSeconds?: number;
  algorithm?: OtpAlgorithm;
}

/**
 * The `otpauth://totp/...` URI (Google Authenticator key-URI format) that apps read from a QR
 * code. It contains the secret, so it is shown to the user once and never logged or stored.
 */
export function totpProvisioningUri(input: ProvisioningUriInput): string {
  if (input.issuer.includes(':') || input.accountName.includes(':')) throw new RangeError('issuer and account name may not contain ":"');
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.accountName)}`;
  const query = [
    `secret=${input.secretBase32.replace(/=+$/, '')}`,
    `issuer=${encodeURIComponent(input.issuer)}`,
    `algorithm=${(input.algorithm ?? TOTP_DEFAULTS.algorithm).toUpperCase()}`,
    `digits=${input.digits ?? TOTP_DEFAULTS.digits}`,
    `period=${input.stepSeconds ?? TOTP_DEFAULTS.stepSeconds}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}

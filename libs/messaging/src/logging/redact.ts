import type { cardsContract, identityContract, paymentsContract } from '@ledger/contracts';

/**
 * What keeps secrets out of the logs. Two nets, because a secret reaches a log line either as a
 * field of a logged object or inside a message string:
 * - fields are dropped by name: every secret field of the contracts (the record below fails to
 *   compile when a contract gains one) and the generic names of credentials;
 * - strings are scrubbed of what a secret looks like wherever it stands: sealed or encrypted field
 *   values, bearer tokens and JWTs, URL passwords, `password=…`-style pairs, card numbers (15–19 digits), mainland
 *   ID numbers and mobile numbers.
 * Short numeric secrets (SMS codes, payment passwords) look like any other number, so inside free
 * text they are caught only next to a secret-looking name; the services never put them in a message.
 */
export const REDACTED = '[redacted]';

/** The contracts' secret fields, by name. */
const CONTRACT_SECRET_FIELDS: Record<identityContract.SecretField | cardsContract.SecretField | paymentsContract.SecretField, true> = {
  phone: true,
  name: true,
  code: true,
  loginPassword: true,
  newLoginPassword: true,
  paymentPassword: true,
  newPaymentPassword: true,
  idNumber: true,
  secondFactorCode: true,
  stepUpCode: true,
  accessToken: true,
  refreshToken: true,
  provisioningUri: true,
  recoveryCodes: true,
  staffPassword: true,
  staffAuthenticatorCode: true,
  staffClientAddress: true,
  cardNumber: true,
  holderName: true,
  reservedPhone: true,
  recipientPhone: true,
  billReference: true,
  merchantApiKey: true,
  depositorIdNumber: true,
};

const SECRET_NAMES = new Set(
  [...Object.keys(CONTRACT_SECRET_FIELDS), 'authorization', 'cookie', 'set-cookie', 'key', 'secret', 'otp', 'pin', 'cvv', 'cvc'].map(
    (name) => name.toLowerCase(),
  ),
);
/** Names that are a credential wherever they appear in a field name (`smsPassword`, `webhookSecret`, `x-api-key`). */
const SECRET_NAME_PART =
  /pass(word|code|phrase)|secret|token|api[-_]?key|private[-_]?key|pepper|credential|signature|card[-_]?number|id[-_]?number/i;
/**
 * `code`-like names hold a stable rejection code (`INSUFFICIENT_FUNDS`) or an HTTP status as often as
 * a one-time code: only the former are kept (one-time codes and passwords have at least 6 digits).
 */
const CODE_NAME = /codes?$/i;
const STABLE_CODE = /^(?:[A-Z][A-Z0-9_]{0,63}|\d{1,3})$/;

function isSecretName(name: string): boolean {
  return SECRET_NAMES.has(name.toLowerCase()) || SECRET_NAME_PART.test(name);
}

/** Whether a field's value is dropped: a secret name, or a `…code` whose value is not a stable code. */
export function isSecretField(name: string, value: unknown): boolean {
  if (CODE_NAME.test(name)) return !((typeof value === 'string' || typeof value === 'number') && STABLE_CODE.test(String(value)));
  return isSecretName(name);
}

const MAX_TEXT = 8_192;
const TEXT_RULES: ReadonlyArray<[RegExp, string | ((...groups: string[]) => string)]> = [
  // Sealed for a context's key or encrypted with the field keyring (ENCRYPTED_FIELD_PATTERN): opaque, and no use in a log.
  [/\b(?:seal|enc):v1:[A-Za-z0-9+/=:._-]+/g, '[sealed]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, `Bearer ${REDACTED}`],
  // The password of a URL (`postgres://user:…@host`).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]+:)[^@/?#\s]+@/gi, `$1${REDACTED}@`],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // `password=…`, `"smsCode": "…"`, `token: …`; a stable code (`code=INSUFFICIENT_FUNDS`) stays.
  [
    /\b([A-Za-z_-]*(?:pass(?:word|code)|secret|token|api[-_]?key|otp|pin|cvv|code))(["']?\s*[=:]\s*["']?)([^\s"',;&)}\]]+)/gi,
    (whole: string, name: string, separator: string, value: string) =>
      CODE_NAME.test(name) && STABLE_CODE.test(value) ? whole : `${name}${separator}${REDACTED}`,
  ],
  // A card number typed or stored (15–19 digits, maybe grouped by spaces or dashes).
  [/(?<![\w-])\d(?:[ -]?\d){14,18}(?![\w-])/g, '[card]'],
  // A resident ID number (17 digits and a check character).
  [/(?<![\w-])\d{17}[\dXx](?![\w-])/g, '[id-number]'],
  // A mainland mobile number, maybe with +86 and separators.
  [/(?<![\w+-])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![\w-])/g, '[phone]'],
];

/** The text with everything that looks like a secret replaced (bounded: longer text is cut first). */
export function scrubText(text: string): string {
  let out = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length - MAX_TEXT} more characters)` : text;
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement as string);
  return out;
}

const MAX_DEPTH = 5;
const MAX_ENTRIES = 50;

/**
 * A copy of a value safe to log: secret fields replaced by `[redacted]`, strings scrubbed, errors
 * reduced to their type, message and stack (scrubbed), and the whole bounded in depth and width.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  if (value instanceof Error) return errorFields(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ENTRIES).map((item) => redact(item, depth + 1));
    if (value.length > MAX_ENTRIES) items.push(`… ${value.length - MAX_ENTRIES} more`);
    return items;
  }
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [name, field] of Object.entries(value)) {
    if (++count > MAX_ENTRIES) {
      out['…'] = `${Object.keys(value).length - MAX_ENTRIES} more fields`;
      break;
    }
    out[name] = isSecretField(name, field) ? REDACTED : redact(field, depth + 1);
  }
  return out;
}

export function errorFields(error: Error): { type: string; message: string; stack?: string } {
  const fields: { type: string; message: string; stack?: string } = { type: error.name, message: scrubText(error.message) };
  if (error.stack) fields.stack = scrubText(error.stack);
  return fields;
}

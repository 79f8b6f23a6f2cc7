import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { TRANSPORT_ERROR, type ServiceErrorCode } from '@ledger/contracts';

/**
 * Errors as RFC 9457 Problem Details, in one place: every failure a route can meet (a service's
 * rejected result, a validation failure, a missing token, a rate limit, an unknown route) becomes a
 * `ProblemError` carrying a stable code, and `ProblemDetailsFilter` renders it. The HTTP status of
 * a code comes from `statusForCode`, the only table of its kind, explicit for every code.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://ledger.example/problems/';

/** Codes the gateway itself answers with (the services' codes pass through unchanged). */
export const GATEWAY_ERROR = {
  INVALID_JSON: 'INVALID_JSON',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'RATE_LIMITED',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  NOT_READY: 'NOT_READY',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;

export type GatewayErrorCode = (typeof GATEWAY_ERROR)[keyof typeof GATEWAY_ERROR];

/**
 * The HTTP status of every code: the gateway's own and every code a service's contract lists
 * (`SERVICE_ERROR_CODES`). Typed over those lists, so a code added to a contract does not compile
 * until it has its status here. Each code appears once, under the first context that lists it.
 */
const HTTP_STATUS: Readonly<Record<GatewayErrorCode | ServiceErrorCode, number>> = {
  // gateway
  [GATEWAY_ERROR.INVALID_JSON]: 400,
  [GATEWAY_ERROR.PAYLOAD_TOO_LARGE]: 413,
  [GATEWAY_ERROR.UNSUPPORTED_MEDIA_TYPE]: 415,
  [GATEWAY_ERROR.VALIDATION_FAILED]: 400,
  [GATEWAY_ERROR.UNAUTHENTICATED]: 401,
  [GATEWAY_ERROR.FORBIDDEN]: 403,
  [GATEWAY_ERROR.RATE_LIMITED]: 429,
  [GATEWAY_ERROR.ROUTE_NOT_FOUND]: 404,
  [GATEWAY_ERROR.METHOD_NOT_ALLOWED]: 405,
  [GATEWAY_ERROR.NOT_READY]: 503,
  [GATEWAY_ERROR.SERVICE_UNAVAILABLE]: 503,
  [GATEWAY_ERROR.INTERNAL_ERROR]: 500,
  // transport
  [TRANSPORT_ERROR.INVALID_COMMAND]: 400,
  [TRANSPORT_ERROR.UNKNOWN_COMMAND]: 503,
  [TRANSPORT_ERROR.PROCESSING_FAILED]: 502,
  [TRANSPORT_ERROR.TIMEOUT]: 504,
  // identity
  RESEND_TOO_SOON: 429,
  SMS_UNAVAILABLE: 503,
  TOO_MANY_CODES: 429,
  INVALID_CODE: 422,
  CODE_EXPIRED: 410,
  CODE_ATTEMPTS_EXHAUSTED: 410,
  CODE_ALREADY_USED: 409,
  CODE_NOT_REQUESTED: 422,
  PHONE_ALREADY_REGISTERED: 409,
  WEAK_PASSWORD: 422,
  SYSTEM_MAINTENANCE: 503,
  USER_NOT_FOUND: 404,
  INVALID_CREDENTIALS: 401,
  LOGIN_LOCKED: 423,
  STEP_UP_REQUIRED: 401,
  PAYMENT_PASSWORD_NOT_SET: 422,
  PAYMENT_PASSWORD_ALREADY_SET: 409,
  WRONG_PAYMENT_PASSWORD: 422,
  PAYMENT_PASSWORD_LOCKED: 423,
  SECOND_FACTOR_ALREADY_ENABLED: 409,
  SECOND_FACTOR_NOT_ENABLED: 422,
  SECOND_FACTOR_REQUIRED: 401,
  INVALID_SECOND_FACTOR: 422,
  SECOND_FACTOR_LOCKED: 423,
  ACCOUNT_FROZEN: 423,
  ALREADY_FROZEN: 409,
  IDENTITY_ALREADY_VERIFIED: 409,
  NOT_FROZEN: 409,
  UNFREEZE_REQUIRES_SUPPORT: 422,
  INVALID_INPUT: 400,
  INVALID_REFRESH_TOKEN: 401,
  REFRESH_TOKEN_EXPIRED: 401,
  REFRESH_TOKEN_REUSED: 401,
  SESSION_REVOKED: 401,
  USER_ALREADY_EXISTS: 409,
  // cards
  INVALID_CARD_NUMBER: 422,
  CARD_NOT_SUPPORTED: 422,
  CARD_EXPIRED: 422,
  CARD_BLOCKED: 423,
  CARD_HOLDER_MISMATCH: 422,
  RESERVED_PHONE_MISMATCH: 422,
  CARD_ALREADY_BOUND: 409,
  CARD_BOUND_TO_ANOTHER_USER: 422,
  TOO_MANY_CARDS: 409,
  CARD_NOT_FOUND: 404,
  NOT_CARD_OWNER: 403,
  CARD_SUSPENDED: 422,
  CARD_BINDING_IN_PROGRESS: 409,
  ISSUER_UNAVAILABLE: 503,
  IDENTITY_UNAVAILABLE: 503,
  // wallet
  WALLET_PREREQUISITES_MISSING: 422,
  WALLET_ALREADY_OPEN: 409,
  WALLET_NOT_OPEN: 404,
  WALLET_FROZEN: 423,
  INSUFFICIENT_FUNDS: 422,
  LIMIT_EXCEEDED: 422,
  BALANCE_CAP_EXCEEDED: 422,
  HOLD_NOT_FOUND: 404,
  HOLD_ALREADY_SETTLED: 409,
  HOLD_NOT_EXPIRED: 422,
  HOLD_EXPIRY_PASSED: 422,
  CAPTURE_EXCEEDS_HOLD: 422,
  INVALID_AMOUNT: 422,
  IDEMPOTENCY_KEY_REUSED: 409,
  // payments
  PAYMENTS_BUSY: 503,
  MERCHANT_NOT_SUPPORTED: 422,
  CHANNEL_NOT_SUPPORTED: 422,
  MERCHANT_DECLINED: 422,
  ACQUIRER_UNAVAILABLE: 503,
  WALLET_UNAVAILABLE: 503,
  PAYMENT_INTERRUPTED: 503,
  HOLD_EXPIRED: 409,
  RECIPIENT_NOT_FOUND: 404,
  RECIPIENT_WALLET_UNAVAILABLE: 422,
  SELF_TRANSFER: 422,
  CARDS_UNAVAILABLE: 503,
  CARD_CHARGE_DECLINED: 422,
  CARD_PAYOUT_DECLINED: 422,
  REFUND_EXCEEDS_PAYMENT: 422,
  PAYMENT_NOT_REFUNDABLE: 422,
  PAYMENT_NOT_FOUND: 404,
  BILLER_NOT_SUPPORTED: 422,
  BILL_NOT_FOUND: 404,
  BILL_AMOUNT_MISMATCH: 422,
  BILLER_DECLINED: 422,
  BILLER_UNAVAILABLE: 503,
  TOPUP_EXPIRED: 410,
  CALLBACK_AFTER_DEADLINE: 410,
  INVALID_SIGNATURE: 401,
  CALLBACK_STALE: 401,
  CALLBACK_REPLAYED: 409,
  CALLBACK_MISMATCH: 409,
  APPROVAL_EXPIRED: 410,
  COUNTER_TOP_UP_REJECTED: 422,
  NOT_AWAITING_APPROVAL: 409,
  SELF_APPROVAL_FORBIDDEN: 403,
  RISK_VELOCITY_EXCEEDED: 429,
  ALREADY_ONBOARDED: 409,
  NOT_ONBOARDED: 404,
  ALREADY_SUSPENDED: 409,
  NOT_SUSPENDED: 409,
  TOO_MANY_API_KEYS: 409,
  API_KEY_NOT_FOUND: 404,
  MERCHANT_KEY_INVALID: 401,
  NOT_MERCHANTS_PAYMENT: 403,
  DEPOSITOR_ID_REQUIRED: 422,
  AUDIT_UNAVAILABLE: 503,
  /** A support look-up without its record on the trail: only a caller that skipped payments.RecordSupportAccess.v1 gets it. */
  AUDIT_REQUIRED: 403,
  SECOND_FACTOR_NOT_PENDING: 409,
  SECOND_FACTOR_CODE_INVALID: 422,
};

/**
 * The HTTP status of a stable code. A code no contract lists (a service newer than this gateway)
 * is a refused request, 422: never a 5xx, which only the listed availability codes produce.
 */
export function statusForCode(code: string): number {
  return (HTTP_STATUS as Readonly<Record<string, number>>)[code] ?? 422;
}

/** Every code the table knows (for the documents and the tests). */
export const KNOWN_CODES: readonly string[] = Object.keys(HTTP_STATUS);

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  details?: Record<string, unknown>;
}

export class ProblemError extends Error {
  readonly status: number;
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly details?: Record<string, unknown>,
    /** Extra response headers (Retry-After, WWW-Authenticate). */
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ProblemError';
    this.status = statusForCode(code);
  }

  body(instance?: string): ProblemBody {
    return {
      type: `${PROBLEM_TYPE_BASE}${this.code.toLowerCase().replace(/_/g, '-')}`,
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...(instance === undefined ? {} : { instance }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** Seconds until an ISO instant or after a number of milliseconds, at least 1. */
function retryAfterSeconds(details: Record<string, unknown> | undefined, fallbackSeconds?: number): string | undefined {
  const ms = details?.['retryAfterMs'];
  if (typeof ms === 'number' && Number.isFinite(ms)) return String(Math.max(1, Math.ceil(ms / 1000)));
  for (const field of ['retryAt', 'until', 'lockedUntil']) {
    const at = details?.[field];
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)))
      return String(Math.max(1, Math.ceil((Date.parse(at) - Date.now()) / 1000)));
  }
  return fallbackSeconds === undefined ? undefined : String(fallbackSeconds);
}

/** A service's rejected result as a problem, with Retry-After where the code asks the caller to wait. */
export function problemFromRejection(code: string, message: string, details?: Record<string, unknown>): ProblemError {
  const headers: Record<string, string> = {};
  const status = statusForCode(code);
  if (status === 429 || status === 503 || status === 423) {
    const retryAfter = retryAfterSeconds(details, status === 503 ? 30 : undefined);
    if (retryAfter !== undefined) headers['Retry-After'] = retryAfter;
  }
  return new ProblemError(code, message, details, headers);
}

interface MinimalResponse {
  headersSent: boolean;
  status(code: number): MinimalResponse;
  setHeader(name: string, value: string): void;
  end(body: string): void;
}

export function writeProblem(response: MinimalResponse, problem: ProblemError, instance?: string): void {
  if (response.headersSent) return;
  for (const [name, value] of Object.entries(problem.headers)) response.setHeader(name, value);
  response.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
  response.status(problem.status).end(JSON.stringify(problem.body(instance)));
}

/** Nest's own HTTP exceptions (unknown route, …) in the same format. */
function fromHttpException(exception: HttpException): ProblemError {
  const status = exception.getStatus();
  if (status === 404) return new ProblemError(GATEWAY_ERROR.ROUTE_NOT_FOUND, exception.message);
  if (status === 405) return new ProblemError(GATEWAY_ERROR.METHOD_NOT_ALLOWED, exception.message);
  if (status === 401) return new ProblemError(GATEWAY_ERROR.UNAUTHENTICATED, exception.message);
  if (status === 403) return new ProblemError(GATEWAY_ERROR.FORBIDDEN, exception.message);
  if (status === 413) return new ProblemError(GATEWAY_ERROR.PAYLOAD_TOO_LARGE, exception.message);
  if (status < 500) return new ProblemError(GATEWAY_ERROR.VALIDATION_FAILED, exception.message);
  return new ProblemError(GATEWAY_ERROR.INTERNAL_ERROR, 'unexpected error');
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('gateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<{ originalUrl?: string; url?: string }>();
    let problem: ProblemError;
    if (exception instanceof ProblemError) problem = exception;
    else if (exception instanceof HttpException) problem = fromHttpException(exception);
    else {
      // Never echo an internal error to the caller; log its type and message only (no request body).
      this.logger.error(`unexpected ${exception instanceof Error ? `${exception.name}: ${exception.message}` : 'error'}`);
      problem = new ProblemError(GATEWAY_ERROR.INTERNAL_ERROR, 'unexpected error; nothing was changed by the gateway');
    }
    writeProblem(http.getResponse<MinimalResponse>(), problem, request.originalUrl ?? request.url);
  }
}

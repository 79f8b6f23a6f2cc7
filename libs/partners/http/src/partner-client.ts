import http from 'node:http';
import https from 'node:https';
import { retryWithBackoff, type RetryPolicy } from '@ledger/util';
import { CircuitBreaker, DEFAULT_BREAKER, type CircuitBreakerOptions } from './circuit-breaker';
import { signatureHeaders, type PartnerCredential } from './request-signature';

/** The header by which a partner simulator names itself; a service outside development mode refuses to talk to one. */
export const SIMULATOR_HEADER = 'x-partner-simulator';
/** The header that makes a repeated request the same request to the partner (it answers the first answer again). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

export const DEFAULT_PARTNER_TIMEOUT_MS = 2_000;
/** Three attempts, 50 ms then 100 ms apart: a restarting partner's blip is absorbed, a dead one costs well under a second. */
export const DEFAULT_PARTNER_RETRY: RetryPolicy = { attempts: 3, firstDelayMs: 50, maxDelayMs: 400 };
/** Answers above this size are refused: a partner's answer is a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Why a call got no answer. `unavailable`: no attempt reached the partner's processing (refused
 * connection, 503, or the breaker is open), so nothing happened there. `timeout`: at least one attempt
 * may have been processed (no answer in time, connection lost, 502/504): repeat with the same
 * idempotency key, or reconcile.
 */
export type PartnerFailure = 'timeout' | 'unavailable';

export class PartnerUnavailable extends Error {
  constructor(
    readonly partner: string,
    readonly operation: string,
    readonly failure: PartnerFailure,
    readonly detail: string,
  ) {
    super(`${partner} ${failure} during ${operation}: ${detail}`);
    this.name = 'PartnerUnavailable';
  }
}

/** Runs a partner call, turning "no answer" (`PartnerUnavailable`) into the caller's port's own error; anything else propagates. */
export async function orUnavailable<T>(call: () => Promise<T>, unavailable: (failure: PartnerUnavailable) => Error): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof PartnerUnavailable ? unavailable(error) : error;
  }
}

export interface PartnerClientOptions {
  /** Names the partner in errors and logs (`acquirer`). */
  readonly partner: string;
  readonly baseUrl: string;
  /** Signs every request when set (the partner's kind of API signs). */
  readonly credential?: PartnerCredential;
  /** Per attempt, from sending to the whole answer. */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly breaker?: CircuitBreakerOptions;
  /** Development mode: a simulator may answer. Otherwise its answers are refused. */
  readonly allowSimulator: boolean;
}

export interface PartnerRequest {
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  /** Path and query, from the root of `baseUrl`. */
  readonly path: string;
  readonly body?: unknown;
  /**
   * Makes the request safe to repeat: sent as `Idempotency-Key`, so the partner answers a repeat with
   * its first answer. A POST without one is sent once, never retried.
   */
  readonly idempotencyKey?: string;
}

export interface PartnerAnswer {
  readonly status: number;
  readonly body: unknown;
}

type Attempt = { kind: 'answer'; answer: PartnerAnswer } | { kind: 'failed'; failure: PartnerFailure; detail: string; final?: true };

/**
 * The HTTP client every partner adapter goes through: keep-alive connections, a timeout per attempt,
 * bounded retries with exponential backoff (only for requests that are safe to repeat), a circuit
 * breaker per partner, an idempotency key and a signature on each request. It returns the partner's
 * 2xx answers (business refusals, such as a decline, are answers too) for the adapter to read, and
 * throws `PartnerUnavailable` when there was none: no answer, a 5xx, or a 4xx (the partner refused the
 * request itself, e.g. a signature it does not accept: not repeated, and nothing happened there).
 */
export class PartnerClient {
  readonly breaker: CircuitBreaker;
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;

  constructor(readonly options: PartnerClientOptions) {
    this.base = new URL(options.baseUrl);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new RangeError(`${options.partner}: URL must be http(s)`);
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 64 })
        : new http.Agent({ keepAlive: true, maxSockets: 64 });
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PARTNER_TIMEOUT_MS;
    this.retry = options.retry ?? DEFAULT_PARTNER_RETRY;
    this.breaker = new CircuitBreaker(options.breaker ?? DEFAULT_BREAKER);
  }

  get partner(): string {
    return this.options.partner;
  }

  async request(request: PartnerRequest): Promise<PartnerAnswer> {
    const repeatable = request.method === 'GET' || request.idempotencyKey !== undefined;
    let ambiguous = false;
    const last = await retryWithBackoff<Attempt>(
      repeatable ? this.retry : { ...this.retry, attempts: 1 },
      async () => {
        if (!this.breaker.tryAcquire()) return { kind: 'failed', failure: 'unavailable', detail: 'circuit open' };
        const attempt = await this.send(request);
        if (attempt.kind === 'failed') {
          ambiguous ||= attempt.failure === 'timeout';
          this.breaker.failed();
        } else this.breaker.succeeded();
        return attempt;
      },
      (attempt) => attempt.kind === 'failed' && attempt.final !== true,
    );
    if (last.kind === 'answer') return last.answer;
    // Once any attempt may have been processed, the caller must treat the call as possibly done.
    throw new PartnerUnavailable(this.options.partner, request.operation, ambiguous ? 'timeout' : last.failure, last.detail);
  }

  /** Closes idle keep-alive connections (at shutdown). */
  close(): void {
    this.agent.destroy();
  }

  private send(request: PartnerRequest): Promise<Attempt> {
    const body =
      request.body === undefined
        ? ''
        : JSON.stringify(request.body, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
    const path = `${this.base.pathname.replace(/\/$/, '')}${request.path}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
      ...(request.idempotencyKey ? { [IDEMPOTENCY_HEADER]: request.idempotencyKey } : {}),
      ...(this.options.credential
        ? signatureHeaders(this.options.credential, { method: request.method, path, timestampMs: Date.now(), body })
        : {}),
    };
    const transport = this.base.protocol === 'https:' ? https : http;
    return new Promise<Attempt>((resolve) => {
      let settled = false;
      const settle = (attempt: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(attempt);
      };
      const req = transport.request(
        { host: this.base.hostname, port: this.base.port, path, method: request.method, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > MAX_ANSWER_BYTES) {
              req.destroy();
              return settle({ kind: 'failed', failure: 'timeout', detail: `answer larger than ${MAX_ANSWER_BYTES} bytes` });
            }
            chunks.push(chunk);
          });
          res.on('error', (error) => settle({ kind: 'failed', failure: 'timeout', detail: error.message }));
          res.on('end', () => settle(this.answerOf(request, res, Buffer.concat(chunks).toString('utf8'))));
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        settle({ kind: 'failed', failure: 'timeout', detail: `no answer within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) =>
        // A refused connection never reached the partner; anything else might have.
        settle({ kind: 'failed', failure: error.code === 'ECONNREFUSED' ? 'unavailable' : 'timeout', detail: error.message }),
      );
      req.end(body);
    });
  }

  private answerOf(request: PartnerRequest, res: http.IncomingMessage, text: string): Attempt {
    const status = res.statusCode ?? 0;
    if (res.headers[SIMULATOR_HEADER] !== undefined && !this.options.allowSimulator)
      // Never act on a simulator's answer in a deployment: it would move no real money.
      return {
        kind: 'failed',
        failure: 'unavailable',
        detail: `${this.base.origin} is a partner simulator, refused outside development mode`,
      };
    if (status === 503 || status === 429) return { kind: 'failed', failure: 'unavailable', detail: `status ${status}` };
    if (status >= 500) return { kind: 'failed', failure: 'timeout', detail: `status ${status}` };
    if (status < 200 || status >= 300)
      return { kind: 'failed', failure: 'unavailable', detail: `status ${status}: ${text.slice(0, 200)}`, final: true };
    try {
      return { kind: 'answer', answer: { status, body: text === '' ? undefined : (JSON.parse(text) as unknown) } };
    } catch {
      // Unreadable: whatever the partner did is unknown, as after a lost answer.
      return { kind: 'failed', failure: 'timeout', detail: `status ${status} with an answer that is not JSON (${request.operation})` };
    }
  }
}

import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { orderFor, pick, type PaymentKind, type TrafficMix } from './traffic-mix';
import { LOGIN_PASSWORD, PAYMENT_PASSWORD, type SeededUser } from './seed';

/**
 * The payment mix through the HTTP gateway, as the app sends it: each user logs in
 * (`POST /sessions`, a bearer token for the device it registered with), then autocannon keeps
 * `connections` requests in flight, each a payment with a fresh `paymentId` (the idempotency key),
 * the payment password in the body and the token in the header. The gateway answers a payment once
 * its outcome is known, so a response's latency is the whole payment's, as the app sees it.
 *
 * Closed loop: a connection sends its next payment when the previous one is answered, like a user
 * who waits for the result. autocannon's own rate limit sends each connection's quota at the start
 * of every second (bursts that would measure its ticks, not the system), so the load is set by the
 * number of connections instead, and the step search raises it until p99 passes the bound.
 */

/** A seeded user with an access token. */
export interface HttpUser extends SeededUser {
  accessToken: string;
}

/** Logs `users` in through the gateway, `concurrency` at a time (each login checks an argon2id hash). */
export async function logIn(gatewayUrl: string, users: readonly SeededUser[], concurrency: number): Promise<HttpUser[]> {
  const loggedIn: HttpUser[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, users.length) }, async () => {
      while (next < users.length) {
        const user = users[next++]!;
        const response = await fetch(`${gatewayUrl}/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phone: user.phone, loginPassword: LOGIN_PASSWORD, deviceId: user.deviceId }),
        });
        const body = (await response.json()) as { accessToken?: string; code?: string };
        if (response.status !== 200 || body.accessToken === undefined)
          throw new Error(`login of ${user.userId}: HTTP ${response.status} ${body.code ?? ''}`);
        loggedIn.push({ ...user, accessToken: body.accessToken });
      }
    }),
  );
  return loggedIn;
}

/** One step: `connections` payments in flight for `durationS`. */
export interface HttpStep {
  connections: number;
  held: boolean;
  /** Responses per second (every answer: completed, failed or refused). */
  answeredPerSecond: number;
  completedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** `kind:code` (COMPLETED for a completed payment) → responses. */
  outcomes: Record<string, number>;
  /** Connection errors and timeouts (autocannon's), and 5xx answers. */
  errors: number;
}

interface RequestContext {
  kind?: PaymentKind;
}

/** The route and body of one payment of `kind` by `payer`, with a fresh payment id (the idempotency key). */
function paymentRequest(
  kind: PaymentKind,
  payer: HttpUser,
  users: readonly HttpUser[],
  mix: TrafficMix,
): { path: string; body: Record<string, string> } {
  const paymentId = randomUUID();
  const { kind: route, ...order } = orderFor(kind, payer, users, mix);
  const paths = { merchant: 'payments', transfer: 'transfers', card_topup: 'top-ups/card' } as const;
  const body: Record<string, string> = { paymentId, ...order };
  // A top-up from one's own card asks for no payment password; spending does.
  if (route !== 'card_topup') body.paymentPassword = PAYMENT_PASSWORD;
  return { path: `/users/${payer.userId}/${paths[route]}`, body };
}

/** The outcome an answer reports: COMPLETED, PENDING, or the Problem's code. */
export function outcomeOf(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { status?: string; code?: string };
    if (status === 200) return parsed.status === 'completed' ? 'COMPLETED' : String(parsed.status ?? 'UNKNOWN').toUpperCase();
    return parsed.code ?? `HTTP_${status}`;
  } catch {
    return `HTTP_${status}`;
  }
}

/** Runs one step and reports it; `p99BoundMs` decides whether it held (nothing refused busy, no error either). */
export async function runHttpStep(options: {
  gatewayUrl: string;
  users: readonly HttpUser[];
  mix: TrafficMix;
  connections: number;
  durationS: number;
  p99BoundMs: number;
}): Promise<HttpStep> {
  const { users, mix } = options;
  const outcomes = new Map<string, number>();
  const result = await autocannon({
    url: options.gatewayUrl,
    connections: options.connections,
    duration: options.durationS,
    // A payment waits for its outcome; the gateway gives up after 30 s (504), the client a little later.
    timeout: 35,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context: RequestContext) => {
          const payer = users[Math.floor(Math.random() * users.length)]!;
          const kind = pick(mix.kinds, Math.random()).kind;
          const { path, body } = paymentRequest(kind, payer, users, mix);
          context.kind = kind;
          return {
            ...request,
            method: 'POST',
            path,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${payer.accessToken}` },
            body: JSON.stringify(body),
          };
        },
        onResponse: (status, body, context: RequestContext) => {
          const key = `${context.kind ?? 'unknown'}:${outcomeOf(status, body)}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        },
      },
    ],
  });
  const completed = [...outcomes].reduce((sum, [key, count]) => (key.endsWith(':COMPLETED') ? sum + count : sum), 0);
  const busy = [...outcomes].reduce((sum, [key, count]) => (key.endsWith(':PAYMENTS_BUSY') ? sum + count : sum), 0);
  const errors = result.errors + result['5xx'];
  return {
    connections: options.connections,
    held: result.latency.p99 <= options.p99BoundMs && busy === 0 && errors === 0,
    answeredPerSecond: Math.round(result.requests.total / result.duration),
    completedPerSecond: Math.round(completed / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    outcomes: Object.fromEntries([...outcomes].sort(([a], [b]) => a.localeCompare(b))),
    errors,
  };
}

/** Connections of the next step: doubled while every step holds; undefined once one did not (or after `maxSteps`). */
export function nextConnections(steps: readonly HttpStep[], maxSteps = 8): number | undefined {
  if (steps.length === 0) return 1;
  const last = steps[steps.length - 1]!;
  if (!last.held || steps.length >= maxSteps) return undefined;
  return last.connections * 2;
}

/** The highest rate of completed payments among the steps that held (0 when none did). */
export function httpCapacityOf(steps: readonly HttpStep[]): number {
  return steps.filter((step) => step.held).reduce((best, step) => Math.max(best, step.completedPerSecond), 0);
}

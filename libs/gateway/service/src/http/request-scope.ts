import { randomUUID } from 'node:crypto';
import { activeTracing, withLogContext, type ActiveSpan, type HttpOutcome, type LogContext } from '@ledger/messaging';

/** The response header that names the request's correlation id: what a caller quotes to support, and what every log line of it carries. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

interface ScopedRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  /** Express's matched route; its path is the template (`/users/:userId/payments`), never the ids. */
  route?: { path?: unknown };
  [SCOPE]?: RequestScope;
}

interface ScopedResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

interface RequestScope {
  log: LogContext;
  span?: ActiveSpan<HttpOutcome>;
}

const SCOPE = Symbol('request scope');

function inScope(scope: RequestScope, next: () => void): void {
  const run = () => withLogContext(scope.log, next);
  if (scope.span) scope.span.run(run);
  else run();
}

/**
 * The first middleware of every request: a fresh correlation id, sent back in `x-correlation-id`
 * on every response (errors included) and passed on to the commands the request sends; the log
 * context that puts it on every line logged for the request; and, with tracing on, the request's
 * span, which continues the caller's trace (`traceparent`) or starts one and ends with the response.
 * The id is never taken from the caller, so one caller cannot make its requests look like another's.
 */
export function beginRequestScope(request: ScopedRequest, response: ScopedResponse, next: () => void): void {
  const correlationId = randomUUID();
  response.setHeader(CORRELATION_ID_HEADER, correlationId);
  const scope: RequestScope = { log: { correlationId } };
  const span = activeTracing()?.httpRequestReceived((request.method ?? 'GET').toUpperCase(), request.headers);
  if (span) {
    scope.span = span;
    scope.log.traceId = span.traceId;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = typeof request.route?.path === 'string' ? request.route.path : undefined;
      span.end({ status: response.statusCode, route, correlationId });
    };
    // `finish` once the response is sent; `close` also when the caller went away first.
    response.once('finish', end);
    response.once('close', end);
  }
  request[SCOPE] = scope;
  inScope(scope, next);
}

/**
 * Re-enters the request's scope after the body was read: a stream's callbacks run in the context of
 * the socket, not of the middleware that listened, so what follows the body (routing, the handler,
 * the error filter) would lose it.
 */
export function resumeRequestScope(request: ScopedRequest, _response: unknown, next: () => void): void {
  const scope = request[SCOPE];
  if (scope) inScope(scope, next);
  else next();
}

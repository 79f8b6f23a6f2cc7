import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who and what a log line is about: set by the command server for each command it handles and by
 * the gateway for each HTTP request, and added to every line logged meanwhile, including by code
 * that knows nothing of it (a use case, a repository, KafkaJS's callbacks run elsewhere and do not
 * have it). Mutable, so the gateway can add the actor once it has checked the caller's token.
 */
export interface LogContext {
  correlationId?: string;
  commandId?: string;
  actor?: string;
  /** The OpenTelemetry trace id, when tracing is on. */
  traceId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `work` with `context` attached to every line it logs (and to what it awaits). */
export function withLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

/** The context of the command or request being handled, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

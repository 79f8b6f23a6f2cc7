import type { CommandResult } from '@ledger/contracts';
import type { IHeaders } from 'kafkajs';

/**
 * Tracing as the command path and the gateway see it. They ask `activeTracing()` and do nothing
 * more when it is undefined, which it is unless the process started tracing (`startTracing`): off,
 * tracing costs a command one variable read and loads no OpenTelemetry code at all.
 *
 * An interface of its own rather than OpenTelemetry's API, because the command client is also part
 * of the packaged `@ledger/client`, whose only dependencies are kafkajs and TypeBox; the
 * implementation (`otel-tracing.ts`) is loaded only when tracing starts.
 */
export interface Tracing {
  /** A command about to be sent: writes the trace context (`traceparent`) into its headers; the returned function ends the send's span. */
  commandSent(command: TracedCommand, headers: IHeaders): EndSentCommand;
  /** A command received: a span that continues the sender's trace, read from the headers. */
  commandReceived(command: TracedCommand, headers: IHeaders | undefined): ActiveSpan<CommandResult | undefined>;
  /** An HTTP request received: a span that continues the caller's trace (`traceparent`) or starts one. */
  httpRequestReceived(method: string, headers: Record<string, string | string[] | undefined>): ActiveSpan<HttpOutcome>;
}

/** What a command span says about its command: never its payload or the people it names. */
export interface TracedCommand {
  /** Versioned command type, the span's name. */
  type: string;
  /** The context that handles it. */
  context: string;
  /** The topic it travels on. */
  topic: string;
  /** Only the kind (`user`, `system`, `support`…), never the id after it. */
  actor: string;
}

export type EndSentCommand = (result: CommandResult | undefined, error?: unknown) => void;

export interface HttpOutcome {
  status: number;
  /** The route's template (`/users/:userId/payments`), never the path with its ids. */
  route?: string;
  correlationId: string;
}

export interface ActiveSpan<Outcome> {
  readonly traceId: string;
  /** Runs `work` with this span as the current one, so what it sends continues the trace. */
  run<T>(work: () => T): T;
  end(outcome: Outcome, error?: unknown): void;
}

let active: Tracing | undefined;

/** The tracing in force, or undefined when tracing is off (the default). */
export function activeTracing(): Tracing | undefined {
  return active;
}

/** Installs (or, with undefined, removes) the process's tracing; `startTracing` calls it. */
export function installTracing(tracing: Tracing | undefined): void {
  active = tracing;
}

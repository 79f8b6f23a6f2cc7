import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context as contextApi,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { TRANSPORT_ERROR, type CommandResult } from '@ledger/contracts';
import type { IHeaders } from 'kafkajs';
import type { ActiveSpan, EndSentCommand, HttpOutcome, TracedCommand, Tracing } from './tracing';

/** Kafka header values are strings or Buffers (or lists of them); trace context is the first. */
const kafkaGetter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined || first === null ? undefined : first.toString();
  },
};
const kafkaSetter: TextMapSetter<IHeaders> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};
const httpGetter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  // Node lowercases incoming header names, as W3C's `traceparent` is spelled.
  get: (carrier, key) => carrier[key.toLowerCase()],
};

const TRANSPORT_CODES: ReadonlySet<string> = new Set(Object.values(TRANSPORT_ERROR));

/** `user:7f3a…` → `user`: the kind of actor is worth a span attribute, the id never. */
function actorKind(actor: string): string {
  const kind = actor.split(':', 1)[0] ?? '';
  return /^[a-z-]{1,20}$/.test(kind) ? kind : 'other';
}

function commandAttributes(command: TracedCommand, operation: 'send' | 'process'): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': operation,
    'messaging.destination.name': command.topic,
    'ledger.context': command.context,
    'ledger.command': command.type,
    'ledger.actor_kind': actorKind(command.actor),
  };
}

/** The outcome of a command on its span: accepted or rejected with its stable code; a transport failure (no answer, dead-lettered, refused) is an error. */
function endCommandSpan(span: Span, result: CommandResult | undefined, error: unknown): void {
  if (result !== undefined) {
    span.setAttribute('ledger.outcome', result.status);
    if (result.status === 'rejected') {
      span.setAttribute('ledger.code', result.code);
      if (TRANSPORT_CODES.has(result.code)) span.setStatus({ code: SpanStatusCode.ERROR, message: result.code });
    }
  }
  if (error !== undefined) recordError(span, error);
  span.end();
}

/** Only the error's type: its message may quote the input. */
function recordError(span: Span, error: unknown): void {
  const type = error instanceof Error ? error.name : typeof error;
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

function activeSpan<Outcome>(
  span: Span,
  parent: Context,
  end: (span: Span, outcome: Outcome, error: unknown) => void,
): ActiveSpan<Outcome> {
  const current = trace.setSpan(parent, span);
  return {
    traceId: span.spanContext().traceId,
    run: (work) => contextApi.with(current, work),
    end: (outcome, error) => end(span, outcome, error),
  };
}

/** `Tracing` on OpenTelemetry's API: the spans of commands sent, commands handled and HTTP requests. */
export class OtelTracing implements Tracing {
  constructor(
    private readonly tracer: Tracer,
    private readonly propagator: TextMapPropagator,
  ) {}

  commandSent(command: TracedCommand, headers: IHeaders): EndSentCommand {
    const span = this.tracer.startSpan(command.type, { kind: SpanKind.CLIENT, attributes: commandAttributes(command, 'send') });
    this.propagator.inject(trace.setSpan(contextApi.active(), span), headers, kafkaSetter);
    return (result, error) => endCommandSpan(span, result, error);
  }

  commandReceived(command: TracedCommand, headers: IHeaders | undefined): ActiveSpan<CommandResult | undefined> {
    const parent = this.propagator.extract(ROOT_CONTEXT, headers ?? {}, kafkaGetter);
    const span = this.tracer.startSpan(command.type, { kind: SpanKind.SERVER, attributes: commandAttributes(command, 'process') }, parent);
    return activeSpan(span, parent, endCommandSpan);
  }

  httpRequestReceived(method: string, headers: Record<string, string | string[] | undefined>): ActiveSpan<HttpOutcome> {
    const parent = this.propagator.extract(ROOT_CONTEXT, headers, httpGetter);
    const span = this.tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent);
    return activeSpan(span, parent, (ended, outcome: HttpOutcome, error) => {
      // Named by the route's template once routing found it; a request no route matched keeps the bare method.
      if (outcome.route !== undefined) {
        ended.updateName(`${method} ${outcome.route}`);
        ended.setAttribute('http.route', outcome.route);
      }
      ended.setAttribute('http.response.status_code', outcome.status);
      ended.setAttribute('ledger.correlation_id', outcome.correlationId);
      if (outcome.status >= 500) ended.setStatus({ code: SpanStatusCode.ERROR });
      if (error !== undefined) recordError(ended, error);
      ended.end();
    });
  }
}

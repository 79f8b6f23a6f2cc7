import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { installTracing } from './tracing';

export interface StartTracingOptions {
  /** `service.name` unless OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) says otherwise, e.g. `ledger-payments`. */
  serviceName: string;
  /** Where spans go; by default the OTLP/HTTP exporter, configured by the OTEL_EXPORTER_OTLP_* variables. */
  exporter?: SpanExporter;
  /** Export each span as it ends (tests) instead of in batches. */
  exportEachSpan?: boolean;
  /** Where the sampler is read from; the OTLP exporter reads its own variables from `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface RunningTracing {
  /** Exports what has ended so far. */
  flush(): Promise<void>;
  /** Exports what is left and turns tracing off. */
  shutdown(): Promise<void>;
}

/**
 * Tracing is on when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and neither OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none
 * turns it off: off by default, so a deployment without a collector pays nothing.
 */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  if (env['OTEL_TRACES_EXPORTER']?.trim().toLowerCase() === 'none') return false;
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

let running: Promise<RunningTracing> | undefined;

/** Starts tracing from the environment when it asks for it (`tracingEnabled`); otherwise undefined, and nothing is loaded. */
export async function startTracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): Promise<RunningTracing | undefined> {
  return tracingEnabled(env) ? startTracing({ serviceName, env }) : undefined;
}

/** Exports the spans ended so far, if tracing is on (before a process exits). */
export async function flushTracing(): Promise<void> {
  await (await running)?.flush();
}

/**
 * Starts OpenTelemetry's tracing SDK for this process: W3C trace context propagation, spans kept
 * across awaits (AsyncLocalStorage), the sampler of OTEL_TRACES_SAMPLER, and the exporter; then
 * installs it for the command path and the gateway. The SDK is loaded here, only when asked for.
 * One per process: a second call returns the first.
 */
export function startTracing(options: StartTracingOptions): Promise<RunningTracing> {
  running ??= start(options).catch((error: unknown) => {
    running = undefined;
    throw error;
  });
  return running;
}

async function start(options: StartTracingOptions): Promise<RunningTracing> {
  const env = options.env ?? process.env;
  const [api, core, asyncHooks, resources, sdk, { OtelTracing }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace'),
    import('./otel-tracing'),
  ]);
  const exporter = options.exporter ?? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': options.serviceName }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new sdk.TracerProvider({
    resource,
    sampler: samplerFromEnv(sdk, env),
    spanProcessors: [
      // Bounded: a batch processor keeps at most 2048 spans waiting and drops beyond, never blocking a command.
      options.exportEachSpan ? new sdk.SimpleSpanProcessor({ exporter }) : new sdk.BatchSpanProcessor({ exporter }),
    ],
  });
  // The SDK's own trouble (a collector that does not answer) as warnings of the service's log, at most one per export.
  const log = new Logger('tracing');
  const warn = (message: string) => log.warn(message);
  const ignore = () => undefined;
  api.diag.setLogger({ error: warn, warn, info: ignore, debug: ignore, verbose: ignore }, api.DiagLogLevel.WARN);
  const propagator = new core.W3CTraceContextPropagator();
  api.context.setGlobalContextManager(new asyncHooks.AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(propagator);
  api.trace.setGlobalTracerProvider(provider);
  installTracing(new OtelTracing(provider.getTracer('ledger'), propagator));
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      installTracing(undefined);
      running = undefined;
      await provider.shutdown();
      api.trace.disable();
      api.propagation.disable();
      api.context.disable();
      api.diag.disable();
    },
  };
}

type Sdk = typeof import('@opentelemetry/sdk-trace');

/** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG as the specification names them; by default every trace, or the caller's decision. */
function samplerFromEnv(sdk: Sdk, env: NodeJS.ProcessEnv) {
  const ratio = Number(env['OTEL_TRACES_SAMPLER_ARG'] ?? '1');
  const ratioSampler = () => new sdk.TraceIdRatioBasedSampler(Number.isFinite(ratio) ? Math.min(Math.max(ratio, 0), 1) : 1);
  switch (env['OTEL_TRACES_SAMPLER']?.trim().toLowerCase()) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return ratioSampler();
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: ratioSampler() });
    default:
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
  }
}

/**
 * A Nest provider that exports the spans still waiting when its application shuts down: an HTTP
 * application's signal handling (`enableShutdownHooks`) ends the process right after, before a batch would go.
 */
export class FlushTracingOnShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    // An unreachable collector loses these spans, and must not fail the shutdown.
    await flushTracing().catch(() => undefined);
  }
}

// `otel-tracing.ts` is not exported: it is loaded by `startTracing` only when tracing is on.
export * from './tracing';
export * from './start-tracing';

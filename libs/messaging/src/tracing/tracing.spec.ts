import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import { activeTracing } from './tracing';
import { startTracing, startTracingFromEnv, tracingEnabled, type RunningTracing } from './start-tracing';

const command = (type: string, context: string) => ({ type, context, topic: `${context}.commands.from.gateway`, actor: 'user:7f3a-0001' });

describe('tracing', () => {
  it('is off unless an OTLP endpoint is configured, and then nothing is installed', async () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(await startTracingFromEnv('ledger-test', {})).toBeUndefined();
    expect(activeTracing()).toBeUndefined();
  });

  describe('on', () => {
    const exporter = new InMemorySpanExporter();
    let running: RunningTracing;
    beforeAll(async () => {
      running = await startTracing({ serviceName: 'ledger-test', exporter, exportEachSpan: true });
    });
    afterAll(async () => {
      await running.shutdown();
      expect(activeTracing()).toBeUndefined();
    });
    beforeEach(() => exporter.reset());

    const byName = (name: string, kind: SpanKind): ReadableSpan => {
      const span = exporter.getFinishedSpans().find((s) => s.name === name && s.kind === kind);
      if (!span) throw new Error(`no ${SpanKind[kind]} span ${name}`);
      return span;
    };

    it('carries one trace from an HTTP request through a command sent, handled, and the commands its handler sends', async () => {
      const tracing = activeTracing()!;
      const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const request = tracing.httpRequestReceived('POST', { traceparent: incoming });
      expect(request.traceId).toBe('0af7651916cd43dd8448eb211c80319c');

      const headers: IHeaders = {};
      const ended = request.run(() => tracing.commandSent(command('payments.PayBill.v1', 'payments'), headers));
      expect(String(headers['traceparent'])).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);

      // The service: its span continues the sender's, and what its handler sends continues the service's.
      const handled = tracing.commandReceived(command('payments.PayBill.v1', 'payments'), headers);
      const downstream: IHeaders = {};
      await handled.run(async () => {
        await Promise.resolve();
        tracing.commandSent(
          command('identity.VerifyPaymentPassword.v1', 'identity'),
          downstream,
        )({
          status: 'rejected',
          commandId: 'c-2',
          code: 'WRONG_PAYMENT_PASSWORD',
          message: 'no',
        });
      });
      handled.end({ status: 'accepted', commandId: 'c-1' });
      ended({ status: 'accepted', commandId: 'c-1' });
      request.end({ status: 200, route: '/users/:userId/bill-payments', correlationId: 'corr-1' });

      const http = byName('POST /users/:userId/bill-payments', SpanKind.SERVER);
      const sent = byName('payments.PayBill.v1', SpanKind.CLIENT);
      const server = byName('payments.PayBill.v1', SpanKind.SERVER);
      const verify = byName('identity.VerifyPaymentPassword.v1', SpanKind.CLIENT);
      for (const span of [http, sent, server, verify]) expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(http.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
      expect(sent.parentSpanContext?.spanId).toBe(http.spanContext().spanId);
      expect(server.parentSpanContext?.spanId).toBe(sent.spanContext().spanId);
      expect(verify.parentSpanContext?.spanId).toBe(server.spanContext().spanId);

      expect(http.attributes).toMatchObject({ 'http.route': '/users/:userId/bill-payments', 'http.response.status_code': 200 });
      expect(server.attributes).toMatchObject({ 'ledger.context': 'payments', 'ledger.outcome': 'accepted', 'ledger.actor_kind': 'user' });
      expect(verify.attributes).toMatchObject({ 'ledger.outcome': 'rejected', 'ledger.code': 'WRONG_PAYMENT_PASSWORD' });
      expect(verify.status.code).toBe(SpanStatusCode.UNSET);
      // The actor's id is not on any span.
      expect(JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes))).not.toContain('7f3a-0001');
    });

    it('starts a trace for a request without trace context, and marks transport failures as errors', () => {
      const tracing = activeTracing()!;
      const request = tracing.httpRequestReceived('GET', {});
      expect(request.traceId).toMatch(/^[0-9a-f]{32}$/);
      request.end({ status: 404, correlationId: 'corr-2' });
      const headers: IHeaders = {};
      tracing.commandSent(
        command('wallet.GetBalance.v1', 'wallet'),
        headers,
      )({
        status: 'rejected',
        commandId: 'c-3',
        code: 'TIMEOUT',
        message: 'no result',
      });
      expect(byName('GET', SpanKind.SERVER).parentSpanContext).toBeUndefined();
      expect(byName('wallet.GetBalance.v1', SpanKind.CLIENT).status.code).toBe(SpanStatusCode.ERROR);
    });
  });
});

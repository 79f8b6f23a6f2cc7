import 'reflect-metadata';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { checkPaymentPassword } from '@ledger/identity-domain';
import { startTracing, type RunningTracing } from '@ledger/messaging';
import { captureProcessOutput, needlesIn, secretShapesIn, testKafka } from '@ledger/testing';
import { TEST_CARDS } from '@ledger/util/testing';
import { randomIdNumber, randomPhone } from '@ledger/identity-service/testing';
import { loadGatewayConfig, startGateway, type RunningGateway } from '@ledger/gateway-service';
import { PaymentsHarness } from '../harness/payments-harness';

jest.setTimeout(300_000);

/**
 * Traces and logs across the real services: identity, cards, wallet and payments in this process on
 * the real broker, behind the gateway, with tracing on (spans kept in memory) and every log line
 * captured as JSON. A user registers, binds a card, opens the wallet, tops it up from the card and
 * pays a bill; then:
 * - the bill payment is one trace, continuing the caller's `traceparent`, with a span per hop
 *   (the gateway's request, the command it sends, payments handling it, and payments' commands to
 *   identity and the wallet, each handled there);
 * - every response names its correlation id, and the lines logged for a command carry its
 *   correlation id, command id, actor and trace id;
 * - no secret of the flow (passwords, the SMS code, the card, the phones, the ID number, the
 *   tokens) nor any sealed field is in the logs.
 */
const card = TEST_CARDS.zhangSanDebit;
const phone = randomPhone();
const idNumber = randomIdNumber();
const loginPassword = `Pl4nted${randomBytes(5).toString('hex')}`;
let paymentPassword = '';
while (paymentPassword === '' || !checkPaymentPassword(paymentPassword).ok) paymentPassword = String(randomInt(100_000, 1_000_000));
const secrets: Record<string, string> = {
  phone,
  idNumber,
  loginPassword,
  paymentPassword,
  cardNumber: card.number,
  reservedPhone: card.reservedPhone,
};

const exporter = new InMemorySpanExporter();
let tracing: RunningTracing;
let harness: PaymentsHarness;
let gateway: RunningGateway;
let output: ReturnType<typeof captureProcessOutput> | undefined;
const originalLogFormat = process.env['LOG_FORMAT'];

beforeAll(async () => {
  tracing = await startTracing({ serviceName: 'ledger-e2e', exporter, exportEachSpan: true });
  output = captureProcessOutput();
  process.env['LOG_FORMAT'] = 'json';
  harness = await PaymentsHarness.start('observability', {}, true);
  // Last, with its logger on: Nest's logger is the process's, so every service's lines go through it.
  gateway = await startGateway(
    loadGatewayConfig({ port: 0, topicPrefix: harness.topicPrefix, commandTimeoutMs: 45_000, paymentTimeoutMs: 60_000 }),
    { kafka: testKafka('observability-gateway'), logger: ['log', 'warn', 'error'] },
  );
});

afterAll(async () => {
  await gateway?.stop();
  await harness?.stop();
  await tracing?.shutdown();
  output?.restore();
  if (originalLogFormat === undefined) delete process.env['LOG_FORMAT'];
  else process.env['LOG_FORMAT'] = originalLogFormat;
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
  correlationId: string | null;
}

async function call(path: string, body?: unknown, token?: string, headers: Record<string, string> = {}): Promise<Reply> {
  const all: Record<string, string> = { ...headers };
  if (token !== undefined) all['authorization'] = `Bearer ${token}`;
  if (body !== undefined) all['content-type'] = 'application/json';
  const response = await fetch(`${gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: all,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    correlationId: response.headers.get('x-correlation-id'),
  };
}

function expectStatus(reply: Reply, status: number): Record<string, unknown> {
  expect({ status: reply.status, body: reply.body }).toEqual({ status, body: expect.anything() });
  return reply.body;
}

async function eventually<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const logLines = (): Array<Record<string, unknown>> =>
  output!
    .text()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const traceIdOf = (traceparent: string) => traceparent.split('-')[1]!;
let registration: Reply;
let billTraceparent = '';

it('registers, binds a card, opens and tops up the wallet and pays a bill through HTTP, every response naming its correlation id', async () => {
  expectStatus(await call('/verification-codes', { phone, purpose: 'registration' }), 202);
  const smsCode = harness.identity.latestCode(phone);
  secrets['smsCode'] = smsCode;
  registration = await call('/users', { phone, code: smsCode, loginPassword, name: card.holderName, idNumber, deviceId: 'phone-1' });
  const userId = String(expectStatus(registration, 201)['userId']);
  const session = expectStatus(await call('/sessions', { phone, loginPassword, deviceId: 'phone-1' }), 200);
  const token = String(session['accessToken']);
  secrets['accessToken'] = token;
  secrets['refreshToken'] = String(session['refreshToken']);
  expectStatus(await call(`/users/${userId}/payment-password`, { paymentPassword }, token), 200);
  const bound = expectStatus(
    await call(
      `/users/${userId}/cards`,
      { cardNumber: card.number, holderName: card.holderName, reservedPhone: card.reservedPhone },
      token,
    ),
    201,
  );
  // The wallet learns of the payment password and the card from events.
  expectStatus(
    await eventually(
      () => call(`/users/${userId}/wallet`, {}, token),
      (reply) => reply.status !== 422,
    ),
    201,
  );
  const topUp = await call(
    `/users/${userId}/top-ups/card`,
    { paymentId: randomUUID(), cardId: bound['cardId'], amountMinor: '50000' },
    token,
  );
  expect(expectStatus(topUp, 200)['status']).toBe('completed');

  billTraceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
  const bill = await call(
    `/users/${userId}/bill-payments`,
    { paymentId: randomUUID(), billerId: 'b-mobile', billReference: phone, amountMinor: '5000', paymentPassword },
    token,
    { traceparent: billTraceparent },
  );
  expect(expectStatus(bill, 200)['status']).toBe('completed');

  const refused = await call('/users', 'not json');
  for (const reply of [registration, topUp, bill, refused])
    expect(reply.correlationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(new Set([registration.correlationId, topUp.correlationId, bill.correlationId]).size).toBe(3);
});

it('makes the bill payment one trace with a span per hop: gateway, payments, identity and wallet', async () => {
  const traceId = traceIdOf(billTraceparent);
  const spansOf = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
  const handledBy = (spans: ReadableSpan[], context: string) =>
    spans.filter((span) => span.kind === SpanKind.SERVER && span.attributes['ledger.context'] === context);
  const spans = await eventually(spansOf, (found) =>
    ['payments', 'identity', 'wallet'].every((context) => handledBy(found, context).length > 0),
  );

  const request = spans.find((span) => span.name === 'POST /users/:userId/bill-payments');
  expect(request).toBeDefined();
  expect(request!.parentSpanContext?.spanId).toBe(billTraceparent.split('-')[2]);
  expect(request!.attributes).toMatchObject({ 'http.response.status_code': 200, 'ledger.correlation_id': expect.any(String) });
  const sent = spans.find((span) => span.kind === SpanKind.CLIENT && span.name === 'payments.PayBill.v1');
  expect(sent?.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
  const [handled] = handledBy(spans, 'payments');
  expect(handled!.name).toBe('payments.PayBill.v1');
  expect(handled!.parentSpanContext?.spanId).toBe(sent!.spanContext().spanId);
  expect(handled!.attributes).toMatchObject({ 'ledger.outcome': 'accepted', 'ledger.actor_kind': 'user' });
  // Payments' own commands continue the trace, and are handled by identity and the wallet.
  const verify = handledBy(spans, 'identity').find((span) => span.name === 'identity.VerifyPaymentPassword.v1');
  expect(verify).toBeDefined();
  expect(handledBy(spans, 'wallet').map((span) => span.name)).toEqual(expect.arrayContaining(['wallet.ReserveFunds.v1']));
  // Every span but the request's has its parent in the trace.
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  for (const span of spans) if (span !== request) expect(ids.has(span.parentSpanContext?.spanId ?? '')).toBe(true);
  // No span names a person: the attributes hold the context, the command, the kind of actor, the outcome.
  const attributes = JSON.stringify(spans.map((span) => span.attributes));
  for (const value of [phone, card.number, ...Object.values(secrets)]) expect(attributes).not.toContain(value);
});

it('puts the correlation id, command id, actor and trace id on the lines logged while a command is handled', () => {
  const lines = logLines();
  const registered = lines.find((line) => String(line['msg']).startsWith('identity.RegisterUser.v1'));
  expect(registered).toMatchObject({
    level: 'info',
    correlationId: registration.correlationId,
    commandId: expect.any(String),
    actor: 'anonymous',
    traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
  });
  // Payments asks identity for the password check within the bill payment's trace, as itself.
  const verified = lines.find(
    (line) => String(line['msg']).startsWith('identity.VerifyPaymentPassword.v1') && line['traceId'] === traceIdOf(billTraceparent),
  );
  expect(verified).toMatchObject({ actor: 'system:payments', commandId: expect.any(String), correlationId: expect.any(String) });
});

it('logs no secret of the flow, nor any sealed field, but does log the flow', () => {
  const captured = output!.text();
  expect(captured).toContain(String(registration.body['userId']));
  expect(needlesIn(captured, secrets)).toEqual([]);
  expect(secretShapesIn(captured)).toEqual([]);
});

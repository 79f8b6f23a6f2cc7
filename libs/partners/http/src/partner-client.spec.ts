import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CircuitBreaker } from './circuit-breaker';
import { PartnerClient, PartnerUnavailable, SIMULATOR_HEADER, type PartnerClientOptions } from './partner-client';
import { DEFAULT_SIMULATOR_URL, SimulatorRefused, partnerEndpointFromEnv, refuseSimulatorOutsideDevMode } from './partner-endpoint';
import { SIGNATURE_HEADERS, checkSignature } from './request-signature';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

/** A real HTTP server whose every answer the test scripts, one handler per request in order (the last one repeats). */
async function partner(...handlers: Handler[]) {
  const seen: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      handlers[Math.min(seen.length - 1, handlers.length - 1)]!(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, _body, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const silent: Handler = () => undefined;

const options = (url: string, extra: Partial<PartnerClientOptions> = {}): PartnerClientOptions => ({
  partner: 'acquirer',
  baseUrl: url,
  credential: { keyId: 'k1', secret: 's3cret' },
  timeoutMs: 300,
  retry: { attempts: 3, firstDelayMs: 5, maxDelayMs: 20 },
  allowSimulator: false,
  ...extra,
});

describe('the partner HTTP client', () => {
  it('signs each request (the partner can verify it) and sends the idempotency key', async () => {
    const server = await partner(json(200, { approved: true }));
    const client = new PartnerClient(options(`${server.url}/acq`));
    try {
      const answer = await client.request({
        operation: 'authorize',
        method: 'POST',
        path: '/v1/authorizations',
        body: { amountMinor: 5n },
        idempotencyKey: 'p-1',
      });
      expect(answer).toEqual({ status: 200, body: { approved: true } });
      const [request] = server.seen;
      expect(request).toMatchObject({ method: 'POST', path: '/acq/v1/authorizations', body: '{"amountMinor":"5"}' });
      expect(request!.headers['idempotency-key']).toBe('p-1');
      const headers = request!.headers as Record<string, string>;
      const check = (secret: string, body = request!.body) =>
        checkSignature(
          (keyId) => (keyId === 'k1' ? secret : undefined),
          headers,
          { method: 'POST', path: request!.path, body },
          Date.now(),
        );
      expect(check('s3cret')).toEqual({ ok: true });
      expect(check('other')).toEqual({ ok: false, reason: 'bad_signature' });
      expect(check('s3cret', '{"amountMinor":"6"}')).toEqual({ ok: false, reason: 'bad_signature' });
      expect(headers[SIGNATURE_HEADERS.nonce]).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('repeats a request with an idempotency key after a 503 and after a timeout, and returns the answer that came', async () => {
    const server = await partner(json(503, {}), silent, json(200, { approved: true }));
    const client = new PartnerClient(options(server.url));
    try {
      await expect(
        client.request({ operation: 'authorize', method: 'POST', path: '/a', body: {}, idempotencyKey: 'p-2' }),
      ).resolves.toMatchObject({
        body: { approved: true },
      });
      expect(server.seen).toHaveLength(3);
      expect(new Set(server.seen.map((seen) => seen.headers['idempotency-key']))).toEqual(new Set(['p-2']));
    } finally {
      client.close();
      await server.close();
    }
  });

  it('sends a POST without an idempotency key once; no answer is a timeout (it may have been done)', async () => {
    const server = await partner(silent);
    const client = new PartnerClient(options(server.url));
    try {
      const error = (await client
        .request({ operation: 'send', method: 'POST', path: '/a', body: {} })
        .catch((e: unknown) => e)) as PartnerUnavailable;
      expect(error).toBeInstanceOf(PartnerUnavailable);
      expect(error).toMatchObject({ partner: 'acquirer', operation: 'send', failure: 'timeout' });
      expect(server.seen).toHaveLength(1);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('is unavailable (nothing done) when every attempt was refused, and timeout once any attempt may have been processed', async () => {
    const refused = await partner(json(503, {}));
    const client = new PartnerClient(options(refused.url));
    const mixed = await partner(json(502, {}), json(503, {}));
    const mixedClient = new PartnerClient(options(mixed.url));
    try {
      await expect(
        client.request({ operation: 'charge', method: 'POST', path: '/c', body: {}, idempotencyKey: 'k' }),
      ).rejects.toMatchObject({
        failure: 'unavailable',
      });
      expect(refused.seen).toHaveLength(3);
      await expect(
        mixedClient.request({ operation: 'charge', method: 'POST', path: '/c', body: {}, idempotencyKey: 'k' }),
      ).rejects.toMatchObject({
        failure: 'timeout',
      });
    } finally {
      client.close();
      mixedClient.close();
      await refused.close();
      await mixed.close();
    }
  });

  it('does not repeat a request the partner refused itself (4xx), and a refused connection is unavailable', async () => {
    const server = await partner(json(401, { error: 'signature bad_signature' }));
    const client = new PartnerClient(options(server.url));
    try {
      await expect(client.request({ operation: 'a', method: 'GET', path: '/x' })).rejects.toMatchObject({
        failure: 'unavailable',
        detail: expect.stringContaining('401'),
      });
      expect(server.seen).toHaveLength(1);
    } finally {
      client.close();
      await server.close();
    }
    const gone = new PartnerClient(options(server.url));
    await expect(gone.request({ operation: 'a', method: 'GET', path: '/x' })).rejects.toMatchObject({ failure: 'unavailable' });
    gone.close();
  });

  it("refuses a simulator's answers outside development mode, and a service refuses to start against one", async () => {
    const simulator = await partner(json(200, { approved: true }, { [SIMULATOR_HEADER]: '1' }));
    const deployed = new PartnerClient(options(simulator.url));
    const local = new PartnerClient(options(simulator.url, { allowSimulator: true }));
    try {
      await expect(deployed.request({ operation: 'a', method: 'GET', path: '/x' })).rejects.toMatchObject({
        failure: 'unavailable',
        detail: expect.stringContaining('partner simulator'),
      });
      await expect(local.request({ operation: 'a', method: 'GET', path: '/x' })).resolves.toMatchObject({ body: { approved: true } });
      await expect(refuseSimulatorOutsideDevMode(options(simulator.url))).rejects.toBeInstanceOf(SimulatorRefused);
      await expect(refuseSimulatorOutsideDevMode(options(simulator.url, { allowSimulator: true }))).resolves.toBeUndefined();
      // A real partner is reached over TLS: the probe speaks https to it (one that does not answer stops nothing).
      await expect(refuseSimulatorOutsideDevMode(options(simulator.url.replace('http:', 'https:')), 500)).resolves.toBeUndefined();
    } finally {
      deployed.close();
      local.close();
      await simulator.close();
    }
  });

  it('opens its circuit after repeated failures (later calls fail at once, unsent), and closes it after a successful trial', async () => {
    const server = await partner(json(503, {}), json(503, {}), json(200, { ok: true }));
    const client = new PartnerClient(
      options(server.url, { retry: { attempts: 1, firstDelayMs: 1, maxDelayMs: 1 }, breaker: { failureThreshold: 2, openMs: 100 } }),
    );
    const call = () => client.request({ operation: 'a', method: 'GET', path: '/x' });
    try {
      await expect(call()).rejects.toMatchObject({ failure: 'unavailable' });
      await expect(call()).rejects.toMatchObject({ failure: 'unavailable' });
      await expect(call()).rejects.toMatchObject({ detail: 'circuit open' });
      expect(server.seen).toHaveLength(2);
      await new Promise((resolve) => setTimeout(resolve, 120));
      await expect(call()).resolves.toMatchObject({ body: { ok: true } });
      expect(client.breaker.state).toBe('closed');
    } finally {
      client.close();
      await server.close();
    }
  });
});

describe('the circuit breaker', () => {
  it('lets one trial through when half-open; its failure opens the breaker again', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 10 }, () => now);
    breaker.failed();
    expect(breaker.tryAcquire()).toBe(false);
    now = 10;
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.failed();
    expect(breaker.state).toBe('open');
  });
});

describe('a partner endpoint from the environment', () => {
  it('needs a URL and a <keyId>:<secret> credential outside development mode; in it falls back to the partner simulator app', () => {
    const spec = { partner: 'sms', urlVariable: 'SMS_URL', keyVariable: 'SMS_KEY', timeoutVariable: 'SMS_TIMEOUT_MS' };
    expect(() => partnerEndpointFromEnv(spec, {})).toThrow(/SMS_URL is not set.*LEDGER_DEV_MODE=1/);
    expect(() => partnerEndpointFromEnv(spec, { SMS_URL: 'https://sms.example' })).toThrow(/SMS_KEY is not set/);
    expect(() => partnerEndpointFromEnv(spec, { SMS_URL: 'https://sms.example', SMS_KEY: 'no-secret' })).toThrow(/<keyId>:<secret>/);
    expect(partnerEndpointFromEnv(spec, { SMS_URL: 'https://sms.example', SMS_KEY: 'k7:a:b', SMS_TIMEOUT_MS: '900' })).toEqual({
      partner: 'sms',
      baseUrl: 'https://sms.example',
      credential: { keyId: 'k7', secret: 'a:b' },
      timeoutMs: 900,
      allowSimulator: false,
    });
    expect(partnerEndpointFromEnv(spec, { LEDGER_DEV_MODE: '1' })).toMatchObject({
      baseUrl: `${DEFAULT_SIMULATOR_URL}/sms`,
      allowSimulator: true,
    });
  });
});

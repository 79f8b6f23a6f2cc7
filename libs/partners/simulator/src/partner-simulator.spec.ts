import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACQUIRER_API, PartnerClient, SMS_API, signatureHeaders, simulatorEndpoint, devPartnerCredential } from '@ledger/partners-http';
import { PartnerSimulator } from './partner-simulator';
import { SimulatorClient } from './simulator-client';

describe('the partner simulator over HTTP', () => {
  let simulator: PartnerSimulator;
  let acquirer: PartnerClient;
  let ledger: http.Server;
  const callbacks: unknown[] = [];

  beforeAll(async () => {
    // The ledger's callback route, as the gateway serves it: records what the provider posted.
    ledger = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        callbacks.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'completed' }));
      });
    });
    await new Promise<void>((resolve) => ledger.listen(0, '127.0.0.1', resolve));
    simulator = await PartnerSimulator.start({
      callbackUrl: `http://127.0.0.1:${(ledger.address() as AddressInfo).port}/provider-callbacks`,
    });
    acquirer = new PartnerClient({ ...simulatorEndpoint(simulator.url, 'acquirer'), timeoutMs: 500 });
  });

  afterAll(async () => {
    acquirer.close();
    await simulator.close();
    await new Promise<void>((resolve) => ledger.close(() => resolve()));
  });

  const authorize = (paymentId: string, amountMinor = '500', client = acquirer) =>
    client.request({
      operation: 'authorize',
      method: 'POST',
      path: ACQUIRER_API.authorizations,
      idempotencyKey: paymentId,
      body: { paymentId, merchantId: 'm-cafe', channel: 'card', amountMinor },
    });

  it('authorizes a signed request and names itself a simulator on every answer', async () => {
    await expect(authorize('p-1')).resolves.toEqual({ status: 200, body: { approved: true, authorizationCode: 'AUTH-p-1' } });
    const root = await fetch(simulator.url);
    expect(root.headers.get('x-partner-simulator')).toBe('1');
  });

  it('refuses an unsigned request, a wrong secret and a replayed nonce with 401, as a real partner does', async () => {
    const body = JSON.stringify({ paymentId: 'p-2', merchantId: 'm-cafe', channel: 'card', amountMinor: '1' });
    const post = (headers: Record<string, string>) =>
      fetch(`${simulator.url}/acquirer${ACQUIRER_API.authorizations}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    expect((await post({})).status).toBe(401);
    const path = `/acquirer${ACQUIRER_API.authorizations}`;
    const wrong = signatureHeaders({ keyId: 'dev', secret: 'guessed' }, { method: 'POST', path, timestampMs: Date.now(), body });
    expect((await post(wrong)).status).toBe(401);
    const signed = signatureHeaders(devPartnerCredential('acquirer'), { method: 'POST', path, timestampMs: Date.now(), body });
    expect((await post(signed)).status).toBe(200);
    const replay = await post(signed);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ error: 'signature replayed' });
    const stale = signatureHeaders(devPartnerCredential('acquirer'), { method: 'POST', path, timestampMs: Date.now() - 10 * 60_000, body });
    expect((await post(stale)).status).toBe(401);
    expect(simulator.refusedSignatures.get('replayed')).toBe(1);
  });

  it('answers a repeated idempotency key with the first answer, and refuses the key with another request', async () => {
    simulator.acquirer.declineAmounts.add(777n);
    try {
      expect((await authorize('p-3', '777')).body).toEqual({ approved: false, reason: 'declined by the acquirer' });
      simulator.acquirer.declineAmounts.delete(777n);
      expect((await authorize('p-3', '777')).body).toEqual({ approved: false, reason: 'declined by the acquirer' });
      await expect(authorize('p-3', '778')).rejects.toMatchObject({ failure: 'unavailable', detail: expect.stringContaining('422') });
    } finally {
      simulator.acquirer.declineAmounts.clear();
    }
  });

  it('loses an answer when told: the work is done once, and the client repeating the request gets that answer', async () => {
    simulator.faults.arm('acquirer', { mode: 'lose-answer' });
    const before = simulator.acquirer.authorizations;
    await expect(authorize('p-4')).resolves.toMatchObject({ body: { approved: true, authorizationCode: 'AUTH-p-4' } });
    expect(simulator.acquirer.authorizations).toBe(before + 1);
  });

  it("times out and refuses when told (six failures in a row open the client's circuit), and a delay only delays", async () => {
    const client = new PartnerClient({ ...simulatorEndpoint(simulator.url, 'acquirer'), timeoutMs: 300 });
    try {
      simulator.faults.arm('acquirer', { mode: 'timeout', delayMs: 1_000 }, { count: 3 });
      await expect(authorize('p-5', '500', client)).rejects.toMatchObject({ failure: 'timeout' });
      simulator.faults.arm('acquirer', { mode: 'unavailable' }, { count: 3 });
      await expect(authorize('p-6', '500', client)).rejects.toMatchObject({ failure: 'unavailable' });
      expect(client.breaker.state).toBe('open');
    } finally {
      client.close();
      // The open circuit kept the last refusal from being asked for.
      simulator.faults.clear();
    }
    simulator.faults.arm('acquirer', { mode: 'delay', delayMs: 100 });
    const started = Date.now();
    await expect(authorize('p-7')).resolves.toMatchObject({ status: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('delivers SMS to the handset inbox, which a tester reads over HTTP', async () => {
    const sms = new PartnerClient(simulatorEndpoint(simulator.url, 'sms'));
    try {
      await sms.request({
        operation: 'send',
        method: 'POST',
        path: SMS_API.messages,
        body: { to: '+86 138 0013 8000', text: '验证码 123456' },
        idempotencyKey: 'm1',
      });
      await expect(new SimulatorClient(simulator.url).smsCode('13800138000', 1_000)).resolves.toBe('123456');
    } finally {
      sms.close();
    }
  });

  it("plays a provider: posts the ledger a callback signed with that provider's secret, twice when asked, tampered when asked", async () => {
    const client = new SimulatorClient(simulator.url);
    callbacks.length = 0;
    await expect(client.payAtProvider({ provider: 'wechat', paymentId: 'p-8', amountMinor: '2000', times: 2 })).resolves.toEqual({
      status: 200,
      body: { status: 'completed' },
    });
    expect(callbacks).toHaveLength(2);
    const [first, second] = callbacks as Array<Record<string, string>>;
    expect(first).toMatchObject({
      paymentId: 'p-8',
      provider: 'wechat',
      amountMinor: '2000',
      timestamp: expect.stringMatching(/^\d{13}$/),
    });
    // The same payment at the provider, notified twice: one reference, two nonces and signatures.
    expect(second!.providerReference).toBe(first!.providerReference);
    expect(second!.nonce).not.toBe(first!.nonce);
    const replayed = simulator.providers.callbackFor({ provider: 'wechat', paymentId: 'p-9', amountMinor: '1', tamper: 'replay' });
    const again = simulator.providers.callbackFor({ provider: 'wechat', paymentId: 'p-9', amountMinor: '1', tamper: 'replay' });
    expect(again.nonce).toBe(replayed.nonce);
    const stale = simulator.providers.callbackFor({ provider: 'alipay', paymentId: 'p-9', amountMinor: '1', tamper: 'stale' });
    expect(Number(stale.timestamp)).toBeLessThan(Date.now() - 5 * 60_000);
  });
});

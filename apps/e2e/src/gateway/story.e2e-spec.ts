import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { signAccessToken, signingKeyFromEnv, type StaffRole } from '@ledger/crypto';
import { startCommandService } from '@ledger/messaging';
import { testKafka } from '@ledger/testing';
import { projectorContract } from '@ledger/contracts';
import {
  PROJECTOR_CONTEXT,
  paymentOutcomesProjection,
  projectorModule,
  riskProjection,
  statementsProjection,
} from '@ledger/projector-service';
import { PaymentsHarness } from '../harness/payments-harness';
import { TEST_CARDS } from '@ledger/util/testing';
import { deliverTo } from '@ledger/partners-simulator';
import { loadGatewayConfig, runStory, startGateway, type RunningGateway, type StoryReport } from '@ledger/gateway-service';

jest.setTimeout(600_000);

/**
 * The demo's story (`npm run demo`), run by the same function through the gateway against identity,
 * cards, wallet and payments booted in this process on one topic prefix; then the ledger check, and
 * a property-based fuzz over the payments routes (no 5xx, Problem Details on every 4xx).
 */
let harness: PaymentsHarness;
let gateway: RunningGateway;
let projector: Awaited<ReturnType<typeof startCommandService>>;
const lines: string[] = [];
const staffToken = async (agentId: string, role: StaffRole = 'support') =>
  (
    await signAccessToken(
      { userId: agentId, role, deviceId: 'desk', now: new Date(), ttlMs: 600_000 },
      'staff',
      signingKeyFromEnv(process.env, 'STAFF_TOKEN_SIGNING_KEY', 'staff'),
    )
  ).token;

beforeAll(async () => {
  harness = await PaymentsHarness.start('gateway_story', {}, true);
  // The statement and the balance as of an instant are the projector's: it reads each service's store in its own database.
  projector = await startCommandService({
    context: PROJECTOR_CONTEXT,
    module: projectorModule({
      databaseUrl: harness.paymentsDb.url,
      storeUrls: { wallet: harness.walletDb.url, payments: harness.paymentsDb.url, identity: harness.identity.db.url },
      projections: [statementsProjection, paymentOutcomesProjection, riskProjection],
      pollIntervalMs: 100,
      dashboardPort: false,
      alerts: { topicPrefix: harness.topicPrefix },
    }),
    topicPrefix: harness.topicPrefix,
    logger: false,
  });
  gateway = await startGateway(
    loadGatewayConfig({ port: 0, topicPrefix: harness.topicPrefix, commandTimeoutMs: 45_000, paymentTimeoutMs: 60_000 }),
    { kafka: testKafka('gateway-story'), logger: false },
  );
});

afterAll(async () => {
  await gateway?.stop();
  await projector?.close();
  await harness?.stop();
});

let report: StoryReport;

it('tells the whole story through HTTP, with the expected refusals', async () => {
  try {
    report = await runStory({
      baseUrl: gateway.url,
      cards: TEST_CARDS,
      smsCode: (phone) => harness.identity.latestCode(phone),
      staffToken,
      payAtProvider: async (paid) => {
        const [answer] = await harness.partners.providers.pay(paid, deliverTo(`${gateway.url}/provider-callbacks`));
        return { status: answer!.status, body: answer!.body as Record<string, unknown> };
      },
      out: (line) => lines.push(line),
    });
  } finally {
    // The story's own output is the best failure message.
    if (process.env['STORY_VERBOSE']) console.log(lines.join('\n'));
  }
  const text = lines.join('\n');
  expect(text).toContain('SYSTEM_MAINTENANCE');
  expect(text).toContain('CARD_NOT_SUPPORTED');
  expect(text).toContain('INSUFFICIENT_FUNDS');
  expect(text).toContain('MERCHANT_NOT_SUPPORTED');
  expect(text).toContain('STEP_UP_REQUIRED');
  expect(text).toContain('REFUND_EXCEEDS_PAYMENT');
  expect(text).toContain('NOT_MERCHANTS_PAYMENT');
  expect(text).toContain('MERCHANT_KEY_INVALID');
  // 张三: +500 +200 +300 −28 −100 −50 −30 +8 (the café's refund) −15; 李四: +100 −12 (yuan).
  expect(report.balances['张三']).toMatchObject({ totalMinor: '78500', availableMinor: '78500', heldMinor: '0', status: 'active' });
  expect(report.balances['李四']).toMatchObject({ totalMinor: '8800', availableMinor: '8800' });
  const alice = report.statements['张三'] ?? [];
  expect(alice.filter((payment) => payment['status'] === 'completed').map((payment) => payment['kind'])).toEqual([
    'topup',
    'provider_topup',
    'counter',
    'merchant',
    'transfer',
    'bill',
    'withdrawal',
    'refund',
    'merchant',
  ]);
  expect(alice.filter((payment) => payment['status'] === 'failed').map((payment) => payment['failureCode'])).toEqual([
    // The large cash deposit the supervisor rejected (maker-checker): nothing credited.
    'COUNTER_TOP_UP_REJECTED',
    'INSUFFICIENT_FUNDS',
    'MERCHANT_NOT_SUPPORTED',
    'WRONG_PAYMENT_PASSWORD',
    expect.stringMatching(/^(ACCOUNT_FROZEN|WALLET_FROZEN)$/),
  ]);
});

it("shows each wallet's statement: every entry, summing to the balance, the incoming transfer with the payer's masked phone", async () => {
  expect(report?.walletStatements).toBeDefined();
  for (const name of ['张三', '李四']) {
    const entries = report.walletStatements[name] ?? [];
    let balance = 0n;
    let held = 0n;
    for (const entry of entries) {
      balance += BigInt(String(entry['amountMinor']));
      held += BigInt(String(entry['heldMinor']));
      expect([entry['balanceAfterMinor'], entry['availableAfterMinor']]).toEqual([String(balance), String(balance - held)]);
    }
    expect(entries.map((entry) => entry['seq'])).toEqual(entries.map((_entry, i) => i + 1));
    expect(String(balance)).toBe(report.balances[name]?.['totalMinor']);
  }
  const maskedAlice = `${report.alice.phone.slice(0, 3)}****${report.alice.phone.slice(7)}`;
  const maskedBob = `${report.bob.phone.slice(0, 3)}****${report.bob.phone.slice(7)}`;
  const incoming = (report.walletStatements['李四'] ?? []).filter((entry) => entry['paymentKind'] === 'transfer');
  expect(incoming).toEqual([expect.objectContaining({ kind: 'credit', amountMinor: '10000', counterparty: `phone:${maskedAlice}` })]);
  const outgoing = (report.walletStatements['张三'] ?? []).filter((entry) => entry['paymentKind'] === 'transfer');
  expect(outgoing.map((entry) => [entry['kind'], entry['amountMinor'], entry['counterparty']])).toEqual([
    ['hold', '0', `phone:${maskedBob}`],
    ['debit', '-10000', `phone:${maskedBob}`],
  ]);
  // The same payment on both sides.
  expect(incoming[0]?.['paymentId']).toBe(outgoing[0]?.['paymentId']);
});

it("answers a support look-up of a statement only once it is on the user's trail, and a user only their own", async () => {
  const { alice, bob } = report;
  const unaudited = await harness.send(projectorContract.getStatement, { userId: alice.userId }, alice.userId, 'support:agent-9');
  expect(unaudited).toMatchObject({ status: 'rejected', code: 'AUDIT_REQUIRED' });
  const madeUp = await harness.send(
    projectorContract.getBalanceAsOf,
    { userId: alice.userId, asOf: new Date().toISOString(), auditedBy: '00000000-0000-4000-8000-000000000000' },
    alice.userId,
    'support:agent-9',
  );
  expect(madeUp).toMatchObject({ status: 'rejected', code: 'AUDIT_REQUIRED' });
  const response = await fetch(`${gateway.url}/users/${bob.userId}/statement`, { headers: { authorization: `Bearer ${alice.token}` } });
  expect(response.status).toBe(403);
  const asOf = await fetch(`${gateway.url}/support/users/${alice.userId}/balance-as-of?asOf=2020-01-01T00:00:00Z`, {
    headers: { authorization: `Bearer ${await staffToken('agent-10')}` },
  });
  expect(await asOf.json()).toMatchObject({ status: 'unopened', totalMinor: '0' });
  const trail = await fetch(`${gateway.url}/users/${alice.userId}/support-access?limit=1`, {
    headers: { authorization: `Bearer ${alice.token}` },
  });
  expect(((await trail.json()) as { entries: unknown[] }).entries).toEqual([
    expect.objectContaining({ agentId: 'agent-10', viewed: { kind: 'balance', asOf: '2020-01-01T00:00:00Z' } }),
  ]);
});

it('leaves a balanced ledger', async () => {
  const ledger = await harness.ledger();
  expect(ledger).toMatchObject({ ok: true, sumMinor: '0', unbalancedTransactions: [], balanceMismatches: [] });
});

it("audits support access: the support list of a user's payments shows up on the user's support-access trail", async () => {
  expect(report?.alice.userId).toBeDefined();
  const { alice } = report;
  const get = async (route: string, token: string) => {
    const response = await fetch(`${gateway.url}${route}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const agentId = `agent-${Date.now()}`;
  expect((await get(`/support/users/${alice.userId}/payments?limit=3`, await staffToken(agentId))).status).toBe(200);
  const mine = await get(`/users/${alice.userId}/support-access`, alice.token);
  expect(mine.status).toBe(200);
  const entries = mine.body['entries'] as Array<Record<string, unknown>>;
  expect(entries.filter((entry) => entry['agentId'] === agentId)).toEqual([
    expect.objectContaining({ agentId, userId: alice.userId, viewed: { kind: 'list', limit: 3 }, at: expect.any(String) }),
  ]);
  expect(entries[0]).toMatchObject({ agentId });
  const seenBySupport = await get(`/support/users/${alice.userId}/support-access?limit=1`, await staffToken('agent-2'));
  expect(seenBySupport).toMatchObject({ status: 200, body: { entries: [expect.objectContaining({ agentId })] } });
  expect((await get(`/users/${report.bob.userId}/support-access`, alice.token)).status).toBe(403);
  expect((await get(`/support/users/${alice.userId}/support-access`, alice.token)).status).toBe(403);
});

describe('fuzz over the payments routes of docs/openapi.json', () => {
  interface Operation {
    tags?: string[];
    requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
  }
  const document = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../docs/openapi.json'), 'utf8')) as {
    paths: Record<string, Record<string, Operation>>;
  };
  const operations = Object.entries(document.paths).flatMap(([route, methods]) =>
    Object.entries(methods)
      .filter(([, operation]) => operation.tags?.includes('payments'))
      .map(([method, operation]) => ({
        route,
        method: method.toUpperCase(),
        properties: Object.keys(operation.requestBody?.content['application/json']?.schema.properties ?? {}),
      })),
  );
  const value = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom('-100', '0', '1.5', '100', '99999999999999999999', '1e3', ' 100'),
    fc.constantFrom('m-canteen', 'm-cash-only', 'm-unknown', 'b-mobile', 'b-nope', 'qr', 'pos', 'wechat', 'alipay'),
    fc.stringMatching(/^[0-9]{6}$/),
    fc.constant('13812345678'),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.object({ maxDepth: 1 }),
  );

  it('never answers 5xx, and every 4xx is Problem Details', async () => {
    expect(report?.alice.userId).toBeDefined();
    const { alice } = report;
    const tokens = fc.constantFrom<string | undefined>(alice.token, await staffToken('teller-7'), undefined, 'garbage');
    expect(operations.length).toBeGreaterThanOrEqual(8);
    for (const operation of operations) {
      const body =
        operation.properties.length === 0
          ? fc.option(fc.anything(), { nil: undefined })
          : fc.oneof(
              fc.anything(),
              fc.dictionary(fc.constantFrom(...operation.properties, 'extra'), value, { maxKeys: operation.properties.length + 1 }),
            );
      const userIds = fc.oneof(fc.constant(alice.userId), fc.constant(report.bob.userId), fc.string({ minLength: 1, maxLength: 70 }));
      const paymentIds = fc.oneof(fc.constantFrom(...alice.payments), fc.string({ minLength: 1, maxLength: 120 }));
      await fc.assert(
        fc.asyncProperty(body, tokens, userIds, paymentIds, async (payload, token, userId, paymentId) => {
          const url = operation.route.replace('{userId}', encodeURIComponent(userId)).replace('{paymentId}', encodeURIComponent(paymentId));
          const headers: Record<string, string> = {};
          if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
          const send = payload !== undefined && operation.method !== 'GET';
          if (send) headers['content-type'] = 'application/json';
          const response = await fetch(`${gateway.url}${url}`, {
            method: operation.method,
            headers,
            body: send ? (JSON.stringify(payload) ?? 'null') : undefined,
          });
          const text = await response.text();
          if (response.status >= 500) throw new Error(`${operation.method} ${url} ${JSON.stringify(payload)} → ${response.status} ${text}`);
          if (response.status >= 400) expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        }),
        { numRuns: 15 },
      );
    }
    // Whatever the fuzz got through, the ledger still balances.
    expect(await harness.ledger()).toMatchObject({ ok: true, sumMinor: '0' });
  });
});

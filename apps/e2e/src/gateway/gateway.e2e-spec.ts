import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { paymentsContract } from '@ledger/contracts';
import { generateSigningKey, signAccessToken, signingKeyFromEnv } from '@ledger/crypto';
import { SignJWT } from 'jose';
import { testKafka } from '@ledger/testing';
import {
  GOOD_LOGIN_PASSWORD,
  GOOD_PAYMENT_PASSWORD,
  randomPhone,
  startIdentityHarness,
  type IdentityHarness,
} from '@ledger/identity-service/testing';
import { startGateway, type RunningGateway, loadGatewayConfig } from '@ledger/gateway-service';

/**
 * The gateway over the real broker and the real identity service (its own database and topic
 * prefix), driven with fetch: the story register → login → payment password → freeze → support
 * unfreeze, and every kind of bad request answered with Problem Details.
 */
let identity: IdentityHarness;
let gateway: RunningGateway;

beforeAll(async () => {
  identity = await startIdentityHarness('gateway-e2e');
  const config = loadGatewayConfig({
    port: 0,

    topicPrefix: identity.topicPrefix,
    commandTimeoutMs: 30_000,
    bodyLimitBytes: 4096,
    trustProxy: true,
    rateLimits: {
      codeRequestsPerIp: { max: 5, windowMs: 60_000 },
      codeRequestsPerPhone: { max: 2, windowMs: 60_000 },
      loginsPerIp: { max: 3, windowMs: 60_000 },
      loginsPerPhone: { max: 20, windowMs: 60_000 },
    },
  });
  gateway = await startGateway(config, { kafka: testKafka('gateway-e2e'), logger: false });
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await identity?.stop();
});

let ipCounter = 0;
/** Each scenario comes from its own client IP (X-Forwarded-For is trusted here), so rate limits do not leak between tests. */
const freshIp = () => `10.0.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

interface Call {
  method?: string;
  token?: string;
  body?: unknown;
  raw?: string;
  ip?: string;
  contentType?: string;
}

async function call(
  path: string,
  options: Call = {},
): Promise<{ status: number; type: string | null; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { 'x-forwarded-for': options.ip ?? freshIp() };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${gateway.url}${path}`, {
    method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
    headers,
    body: payload,
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    headers: response.headers,
  };
}

function expectProblem(result: Awaited<ReturnType<typeof call>>, status: number, code: string) {
  expect({ status: result.status, code: result.body['code'] }).toEqual({ status, code });
  expect(result.type).toMatch(/^application\/problem\+json/);
  expect(result.body).toMatchObject({
    status,
    code,
    title: expect.any(String),
    type: expect.stringContaining('/problems/'),
    detail: expect.any(String),
  });
}

async function registerAndLogin(phone = randomPhone()): Promise<{ userId: string; token: string; phone: string }> {
  const requested = await call('/verification-codes', { body: { phone, purpose: 'registration' } });
  expect(requested.status).toBe(202);
  const registered = await call('/users', {
    body: { phone, code: identity.latestCode(phone), loginPassword: GOOD_LOGIN_PASSWORD, name: '张三', deviceId: 'phone-1' },
  });
  expect(registered.status).toBe(201);
  const loggedIn = await call('/sessions', { body: { phone, loginPassword: GOOD_LOGIN_PASSWORD, deviceId: 'phone-1' } });
  expect(loggedIn.status).toBe(200);
  expect(loggedIn.body).toMatchObject({ userId: registered.body['userId'], tokenType: 'Bearer', frozen: false });
  return { userId: String(registered.body['userId']), token: String(loggedIn.body['accessToken']), phone };
}

async function supportToken(agentId = 'agent-7'): Promise<string> {
  return (
    await signAccessToken(
      { userId: agentId, deviceId: 'desk', now: new Date(), ttlMs: 600_000 },
      'staff',
      signingKeyFromEnv(process.env, 'STAFF_TOKEN_SIGNING_KEY', 'staff'),
    )
  ).token;
}

describe('health', () => {
  it('answers /health and /ready, and serves the API page', async () => {
    expect(await call('/health')).toMatchObject({ status: 200, body: { status: 'up' } });
    expect(await call('/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
    const page = await fetch(`${gateway.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });

  it('tells a tester of a development stack where SMS codes go and how to sign a provider callback, on the API page only', async () => {
    const served = (await (await fetch(`${gateway.url}/docs/openapi.json`)).json()) as { info: { description: string } };
    expect(served.info.description).toContain('/sms/inbox?to=');
    expect(served.info.description).toContain(paymentsContract.DEV_PROVIDER_SECRETS.wechat);
    const committed = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../docs/openapi.json'), 'utf8')) as {
      info: { description: string };
    };
    expect(committed.info.description).not.toContain(paymentsContract.DEV_PROVIDER_SECRETS.wechat);
  });

  it('answers gateway.Ping.v1 over Kafka', async () => {
    const { pingCommand } = await import('@ledger/contracts');
    const result = await identity.client.send(pingCommand('gateway'), {}, { key: 'ping', actor: 'system:operator', sender: 'operator' });
    expect(result).toMatchObject({ status: 'accepted', data: { service: 'gateway' } });
  });
});

describe('the story: register → login → payment password → freeze → support unfreeze', () => {
  it('runs end to end through HTTP', async () => {
    const { userId, token } = await registerAndLogin();

    const set = await call(`/users/${userId}/payment-password`, { token, body: { paymentPassword: GOOD_PAYMENT_PASSWORD } });
    expect(set).toMatchObject({ status: 200, body: { userId } });
    expectProblem(
      await call(`/users/${userId}/payment-password`, { token, body: { paymentPassword: GOOD_PAYMENT_PASSWORD } }),
      409,
      'PAYMENT_PASSWORD_ALREADY_SET',
    );
    expectProblem(
      await call(`/users/${userId}/payment-password/change`, { token, body: { paymentPassword: '135790', newPaymentPassword: '246813' } }),
      422,
      'WRONG_PAYMENT_PASSWORD',
    );

    const frozen = await call(`/users/${userId}/freeze`, { token, body: { reason: 'lost my phone' } });
    expect(frozen).toMatchObject({ status: 200, body: { userId, frozenAt: expect.any(String) } });
    expectProblem(await call(`/users/${userId}/freeze`, { token, body: { reason: 'again' } }), 409, 'ALREADY_FROZEN');

    // A user token is not a support token.
    expectProblem(await call(`/support/users/${userId}/unfreeze`, { token, body: { verificationReference: 'call-1' } }), 403, 'FORBIDDEN');
    const unfrozen = await call(`/support/users/${userId}/unfreeze`, {
      token: await supportToken(),
      body: { verificationReference: 'call-95588-1' },
    });
    expect(unfrozen).toMatchObject({ status: 200, body: { userId } });
    expectProblem(
      await call(`/support/users/${userId}/unfreeze`, { token: await supportToken(), body: { verificationReference: 'call-95588-2' } }),
      409,
      'NOT_FROZEN',
    );

    // Support freezes again; the user logs in (frozen: true) and sees it.
    expect(
      await call(`/support/users/${userId}/freeze`, { token: await supportToken(), body: { reason: 'hotline: lost phone' } }),
    ).toMatchObject({ status: 200 });
  });

  it("maps the services' codes: wrong password, duplicate phone, wrong code", async () => {
    const { phone } = await registerAndLogin();
    expectProblem(
      await call('/sessions', { body: { phone, loginPassword: 'Wrong2026pass', deviceId: 'phone-1' } }),
      401,
      'INVALID_CREDENTIALS',
    );
    expectProblem(await call('/verification-codes', { body: { phone, purpose: 'registration' } }), 409, 'PHONE_ALREADY_REGISTERED');
    const other = randomPhone();
    expect((await call('/verification-codes', { body: { phone: other, purpose: 'registration' } })).status).toBe(202);
    const wrong = identity.latestCode(other) === '000000' ? '111111' : '000000';
    const rejected = await call('/users', { body: { phone: other, code: wrong, loginPassword: GOOD_LOGIN_PASSWORD, name: '李四' } });
    expectProblem(rejected, 422, 'INVALID_CODE');
    expect(rejected.body['details']).toMatchObject({ attemptsLeft: expect.any(Number) });
  });
});

describe('authentication and ownership', () => {
  let alice: { userId: string; token: string };
  let bob: { userId: string; token: string };
  beforeAll(async () => {
    alice = await registerAndLogin();
    bob = await registerAndLogin();
  });

  it('answers 401 without a token, with a malformed one, or with a forged one', async () => {
    const path = `/users/${alice.userId}/freeze`;
    const missing = await call(path, { body: { reason: 'x' } });
    expectProblem(missing, 401, 'UNAUTHENTICATED');
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expectProblem(await call(path, { token: 'not-a-jwt', body: { reason: 'x' } }), 401, 'UNAUTHENTICATED');
    const [header, payload] = alice.token.split('.') as [string, string];
    expectProblem(await call(path, { token: `${header}.${payload}.${'A'.repeat(43)}`, body: { reason: 'x' } }), 401, 'UNAUTHENTICATED');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: bob.userId })).toString(
      'base64url',
    );
    expectProblem(
      await call(`/users/${bob.userId}/freeze`, { token: `${header}.${forged}.${alice.token.split('.')[2]}`, body: { reason: 'x' } }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it("answers 401 to a token signed by another key than identity's, an expired one, one for another audience, and a staff token made by identity's key", async () => {
    const path = `/users/${alice.userId}/freeze`;
    // Identity's (development) issuer key, as the identity service signs with it in this run.
    const identityKey = signingKeyFromEnv({ LEDGER_DEV_MODE: '1' }, 'ACCESS_TOKEN_SIGNING_KEY', 'user');
    const claims = { userId: alice.userId, deviceId: 'phone-1', ttlMs: 600_000 };
    const valid = await signAccessToken({ ...claims, now: new Date() }, 'user', identityKey);
    // Authenticated, then refused for its empty body: the token itself passed.
    const authenticated = (token: string) => call(`/users/${alice.userId}/payment-password`, { token, body: {} });
    expectProblem(await authenticated(valid.token), 400, 'VALIDATION_FAILED');
    const otherKey = await signAccessToken({ ...claims, now: new Date() }, 'user', { ...generateSigningKey(identityKey.kid) });
    expectProblem(await call(path, { token: otherKey.token, body: { reason: 'x' } }), 401, 'UNAUTHENTICATED');
    const expired = await signAccessToken({ ...claims, now: new Date(Date.now() - 3_600_000) }, 'user', identityKey);
    const expiredReply = await call(path, { token: expired.token, body: { reason: 'x' } });
    expectProblem(expiredReply, 401, 'UNAUTHENTICATED');
    expect(String(expiredReply.body['detail'])).toMatch(/expired/);
    const sign = (audience: string, role: string) =>
      new SignJWT({ role, did: 'phone-1' })
        .setProtectedHeader({ alg: 'EdDSA', kid: identityKey.kid })
        .setIssuer('ledger-identity')
        .setAudience(audience)
        .setSubject(alice.userId)
        .setIssuedAt()
        .setExpirationTime('10m')
        .setJti('j-1')
        .sign(identityKey.privateKey);
    expectProblem(await call(path, { token: await sign('ledger-staff-api', 'user'), body: { reason: 'x' } }), 401, 'UNAUTHENTICATED');
    expectProblem(
      await call(`/support/users/${alice.userId}/freeze`, { token: await sign('ledger-app-api', 'support'), body: { reason: 'x' } }),
      401,
      'UNAUTHENTICATED',
    );
    expectProblem(await authenticated(alice.token), 400, 'VALIDATION_FAILED');
  });

  it("answers 403 on another user's account, wallet or cards, and changes nothing", async () => {
    expectProblem(await call(`/users/${bob.userId}/freeze`, { token: alice.token, body: { reason: 'x' } }), 403, 'FORBIDDEN');
    expectProblem(
      await call(`/users/${bob.userId}/payment-password`, { token: alice.token, body: { paymentPassword: GOOD_PAYMENT_PASSWORD } }),
      403,
      'FORBIDDEN',
    );
    expectProblem(await call(`/users/${bob.userId}/wallet`, { token: alice.token }), 403, 'FORBIDDEN');
    expectProblem(await call(`/users/${bob.userId}/cards`, { token: alice.token }), 403, 'FORBIDDEN');
    // Bob can still set his own payment password: Alice's attempt changed nothing.
    expect(
      await call(`/users/${bob.userId}/payment-password`, { token: bob.token, body: { paymentPassword: GOOD_PAYMENT_PASSWORD } }),
    ).toMatchObject({ status: 200 });
  });
});

describe('bad input', () => {
  it('invalid JSON → 400 INVALID_JSON', async () => {
    expectProblem(await call('/users', { raw: '{"phone": "138' }), 400, 'INVALID_JSON');
  });

  it('wrong types and missing fields → 400 VALIDATION_FAILED naming each field', async () => {
    const wrongTypes = await call('/users', { body: { phone: 13812345678, code: 123456, loginPassword: 'x', name: '' } });
    expectProblem(wrongTypes, 400, 'VALIDATION_FAILED');
    const paths = (wrongTypes.body['details'] as { errors: Array<{ path: string }> }).errors.map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['/phone', '/code', '/name']));
    const missing = await call('/sessions', { body: { phone: '13812345678' } });
    expectProblem(missing, 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(missing.body['details'])).toContain('/loginPassword');
    expectProblem(await call('/sessions', { body: [1, 2] }), 400, 'VALIDATION_FAILED');
    expectProblem(
      await call('/verification-codes', { body: { phone: '13812345678', purpose: 'registration', extra: true } }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(await call('/users', { method: 'POST' }), 400, 'VALIDATION_FAILED');
  });

  it('a huge body → 413 PAYLOAD_TOO_LARGE; not JSON → 415', async () => {
    expectProblem(await call('/users', { body: { phone: '13812345678', name: 'x'.repeat(100_000) } }), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(
      await call('/users', { raw: 'phone=1', contentType: 'application/x-www-form-urlencoded' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('an unknown route → 404 ROUTE_NOT_FOUND; a bad support path id → 400', async () => {
    expectProblem(await call('/nowhere'), 404, 'ROUTE_NOT_FOUND');
    expectProblem(
      await call('/support/users/bad%20id/freeze', { token: await supportToken(), body: { reason: 'x' } }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('a phone the services would refuse is refused at the edge (400 VALIDATION_FAILED); every accepted form reaches them canonical', async () => {
    for (const phone of ['99999999999', '19 +56 +3  ', '1381234567', '+1 138 1234 5678'])
      expectProblem(await call('/verification-codes', { body: { phone, purpose: 'registration' } }), 400, 'VALIDATION_FAILED');
    const phone = randomPhone();
    const formatted = `+86 ${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`;
    expect((await call('/verification-codes', { body: { phone: formatted, purpose: 'registration' } })).status).toBe(202);
    expect(identity.latestCode(phone)).toMatch(/^[0-9]{6}$/);
  });
});

describe('rate limits', () => {
  it('limits code requests per IP and per phone, and logins per IP → 429 RATE_LIMITED with Retry-After', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i += 1) expect((await call('/verification-codes', { ip, body: {} })).status).toBe(400);
    const limited = await call('/verification-codes', { ip, body: {} });
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    const phone = randomPhone();
    expect((await call('/verification-codes', { body: { phone, purpose: 'registration' } })).status).toBe(202);
    expectProblem(await call('/verification-codes', { body: { phone, purpose: 'registration' } }), 429, 'RESEND_TOO_SOON');
    expectProblem(await call('/verification-codes', { body: { phone, purpose: 'registration' } }), 429, 'RATE_LIMITED');

    const loginIp = freshIp();
    for (let i = 0; i < 3; i += 1) expect((await call('/sessions', { ip: loginIp, body: { phone } })).status).toBe(400);
    expectProblem(await call('/sessions', { ip: loginIp, body: { phone } }), 429, 'RATE_LIMITED');
  });
});

describe('fuzz over the OpenAPI document', () => {
  interface Operation {
    tags?: string[];
    requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
  }
  const document = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../docs/openapi.json'), 'utf8')) as {
    paths: Record<string, Record<string, Operation>>;
  };
  // Identity and support routes: the only service booted in this file. (Cards and wallet routes are
  // driven in gateway-wallet-cards.e2e-spec.ts.)
  const operations = Object.entries(document.paths).flatMap(([route, methods]) =>
    Object.entries(methods)
      .filter(([, operation]) => operation.tags?.some((tag) => tag === 'identity' || tag === 'support' || tag === 'health'))
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
    fc.stringMatching(/^[0-9]{6}$/),
    fc.constant('13812345678'),
    fc.constantFrom('registration', 'unfreeze', 'payment_password_reset'),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.object({ maxDepth: 1 }),
  );

  it('never answers 5xx, and every 4xx is Problem Details', async () => {
    const user = await registerAndLogin();
    const tokens = fc.constantFrom<string | undefined>(user.token, await supportToken(), undefined, 'garbage');
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations) {
      const body =
        operation.properties.length === 0
          ? fc.option(fc.anything(), { nil: undefined })
          : fc.oneof(
              fc.anything(),
              fc.dictionary(fc.constantFrom(...operation.properties, 'extra'), value, { maxKeys: operation.properties.length + 1 }),
            );
      const userIds = fc.oneof(fc.constant(user.userId), fc.string({ minLength: 1, maxLength: 70 }));
      await fc.assert(
        fc.asyncProperty(body, tokens, userIds, async (payload, token, userId) => {
          const url = operation.route.replace('{userId}', encodeURIComponent(userId));
          const result = await call(url, {
            method: operation.method,
            token,
            ...(payload === undefined || operation.method === 'GET' ? {} : { raw: JSON.stringify(payload) ?? 'null' }),
          });
          if (result.status >= 500)
            throw new Error(`${operation.method} ${url} ${JSON.stringify(payload)} → ${result.status} ${JSON.stringify(result.body)}`);
          if (result.status >= 400) expect(result.type).toMatch(/^application\/problem\+json/);
        }),
        { numRuns: 25 },
      );
    }
  }, 180_000);
});

import 'reflect-metadata';
import { ARGON2_TEST_PARAMS, base32Decode, generateTotpSecret, hashLoginPassword, totp, verifyAccessToken } from '@ledger/crypto';
import { startCommandService } from '@ledger/messaging';
import { testKafka } from '@ledger/testing';
import { Pool } from 'pg';
import {
  GOOD_LOGIN_PASSWORD,
  GOOD_PAYMENT_PASSWORD as PAYMENT_PASSWORD,
  randomPhone,
  startIdentityHarness,
  type IdentityHarness,
} from '@ledger/identity-service/testing';
import { identityStaffActionsProjection, PROJECTOR_CONTEXT, projectorModule } from '@ledger/projector-service';
import { startGateway, type RunningGateway, loadGatewayConfig, type GatewayConfig } from '@ledger/gateway-service';

/**
 * Sessions through the gateway against the real identity service: refresh-token rotation with
 * theft detection, logout, staff login into support routes, and the second-factor routes.
 */
let identity: IdentityHarness;
let gateway: RunningGateway;
let config: GatewayConfig;
const AGENT_PASSWORD = 'desk-7-correct-horse';
const SECRETS = {
  support: generateTotpSecret().secret,
  teller: generateTotpSecret().secret,
  supervisor: generateTotpSecret().secret,
  locked: generateTotpSecret().secret,
};
/** The authenticator's code of a time step (30 s each) from identity's (test) clock: a step already used opens no second session. */
const codeOf = (secret: Buffer, stepsAhead = 0) => totp(secret, identity.clock.now().getTime() + stepsAhead * 30_000);

beforeAll(async () => {
  const passwordHash = await hashLoginPassword(AGENT_PASSWORD, ARGON2_TEST_PARAMS);
  // The staff registry is identity's: the gateway holds no staff secret.
  const staff = new Map([
    ['agent-7', { passwordHash, role: 'support' as const, totpSecret: SECRETS.support }],
    ['teller-3', { passwordHash, role: 'teller' as const, totpSecret: SECRETS.teller }],
    ['super-1', { passwordHash, role: 'supervisor' as const, totpSecret: SECRETS.supervisor }],
    ['agent-8', { passwordHash, role: 'support' as const, totpSecret: SECRETS.locked }],
  ]);
  // Every staff login of this file comes from one address: identity's limit per address is tested on its own (staff-login-limits.int-spec.ts).
  identity = await startIdentityHarness('gateway-sessions', { config: { staff, staffLoginsPerAddress: { max: 200, windowMs: 600_000 } } });
  const limits = loadGatewayConfig().rateLimits;
  // This file logs in more than 30 times from one address: the per-IP flood guard is not under test here.
  const rateLimits = { ...limits, loginsPerIp: { ...limits.loginsPerIp, max: 200 } };
  config = loadGatewayConfig({ port: 0, topicPrefix: identity.topicPrefix, commandTimeoutMs: 30_000, rateLimits });
  gateway = await startGateway(config, { kafka: testKafka('gateway-sessions'), logger: false });
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await identity?.stop();
});

type Answer = { status: number; body: Record<string, unknown> };

async function post(path: string, body: unknown, token?: string, through: RunningGateway = gateway): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(`${through.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

function expectProblem(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body['code'] }).toEqual({ status, code });
}

async function registeredUser(): Promise<{ userId: string; phone: string }> {
  const phone = randomPhone();
  expect((await post('/verification-codes', { phone, purpose: 'registration' })).status).toBe(202);
  const registered = await post('/users', {
    phone,
    code: identity.latestCode(phone),
    loginPassword: GOOD_LOGIN_PASSWORD,
    name: '张三',
    deviceId: 'phone-1',
  });
  expect(registered.status).toBe(201);
  return { userId: String(registered.body['userId']), phone };
}

const login = (phone: string, extra: Record<string, string> = {}) =>
  post('/sessions', { phone, loginPassword: GOOD_LOGIN_PASSWORD, deviceId: 'phone-1', ...extra });

describe('refresh tokens', () => {
  it('rotates: the new pair works, the old refresh token is refused and revokes the session', async () => {
    const { userId, phone } = await registeredUser();
    const first = await login(phone);
    expect(first.status).toBe(200);
    const refreshed = await post('/sessions/refresh', { refreshToken: first.body['refreshToken'] });
    expect(refreshed).toMatchObject({
      status: 200,
      body: { userId, tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) },
    });
    expect(refreshed.body['refreshToken']).not.toBe(first.body['refreshToken']);
    // The new access token is accepted by a user route.
    expect((await post(`/users/${userId}/freeze`, { reason: 'testing the new token' }, String(refreshed.body['accessToken']))).status).toBe(
      200,
    );

    expectProblem(await post('/sessions/refresh', { refreshToken: first.body['refreshToken'] }), 401, 'REFRESH_TOKEN_REUSED');
    expectProblem(await post('/sessions/refresh', { refreshToken: refreshed.body['refreshToken'] }), 401, 'SESSION_REVOKED');
  });

  it('logout revokes the session; a frozen account cannot refresh', async () => {
    const { userId, phone } = await registeredUser();
    const session = await login(phone);
    expect(await post('/sessions/logout', { refreshToken: session.body['refreshToken'] })).toMatchObject({
      status: 200,
      body: { ended: true },
    });
    expectProblem(await post('/sessions/refresh', { refreshToken: session.body['refreshToken'] }), 401, 'SESSION_REVOKED');

    const other = await login(phone);
    expect((await post(`/users/${userId}/freeze`, { reason: 'lost phone' }, String(other.body['accessToken']))).status).toBe(200);
    expectProblem(await post('/sessions/refresh', { refreshToken: other.body['refreshToken'] }), 423, 'ACCOUNT_FROZEN');
  });

  it('answers bad bodies and unknown tokens with Problem Details', async () => {
    expectProblem(await post('/sessions/refresh', {}), 400, 'VALIDATION_FAILED');
    expectProblem(await post('/sessions/refresh', { refreshToken: 42 }), 400, 'VALIDATION_FAILED');
    expectProblem(await post('/sessions/logout', { refreshToken: 'x'.repeat(600) }), 400, 'VALIDATION_FAILED');
    expectProblem(await post('/sessions/refresh', { refreshToken: 'not-a-session.token' }), 401, 'INVALID_REFRESH_TOKEN');
    expectProblem(await post('/sessions/logout', { refreshToken: `abc.${'A'.repeat(43)}` }), 401, 'INVALID_REFRESH_TOKEN');
  });
});

describe('staff login', () => {
  it('gives a registered agent a support token for password and authenticator code, and refuses everyone else alike', async () => {
    const code = codeOf(SECRETS.support);
    expectProblem(
      await post('/support/sessions', { agentId: 'agent-7', password: 'wrong password', totpCode: code }),
      401,
      'INVALID_CREDENTIALS',
    );
    expectProblem(
      await post('/support/sessions', { agentId: 'agent-99', password: AGENT_PASSWORD, totpCode: code }),
      401,
      'INVALID_CREDENTIALS',
    );
    expectProblem(
      await post('/support/sessions', { agentId: 'agent 7', password: AGENT_PASSWORD, totpCode: code }),
      400,
      'VALIDATION_FAILED',
    );
    // The second factor is mandatory: no code, another agent's code.
    expectProblem(await post('/support/sessions', { agentId: 'agent-7', password: AGENT_PASSWORD }), 400, 'VALIDATION_FAILED');
    expectProblem(
      await post('/support/sessions', {
        agentId: 'agent-7',
        password: AGENT_PASSWORD,
        totpCode: codeOf(SECRETS.teller) === code ? '000000' : codeOf(SECRETS.teller),
      }),
      401,
      'INVALID_CREDENTIALS',
    );

    const staff = await post('/support/sessions', { agentId: 'agent-7', password: AGENT_PASSWORD, totpCode: code });
    expect(staff).toMatchObject({ status: 200, body: { agentId: 'agent-7', role: 'support', tokenType: 'Bearer' } });
    // The same code does not open a second session.
    expectProblem(
      await post('/support/sessions', { agentId: 'agent-7', password: AGENT_PASSWORD, totpCode: code }),
      401,
      'INVALID_CREDENTIALS',
    );
    const claims = await verifyAccessToken(String(staff.body['accessToken']), 'staff', config.staffTokenKeys, new Date());
    expect(claims).toMatchObject({ sub: 'agent-7', role: 'support' });

    const { userId, phone } = await registeredUser();
    expect(
      await post(`/support/users/${userId}/freeze`, { reason: 'caller lost the phone' }, String(staff.body['accessToken'])),
    ).toMatchObject({ status: 200, body: { userId } });
    // A user's token is not a support token.
    const user = await login(phone);
    expectProblem(
      await post(`/support/users/${userId}/unfreeze`, { verificationReference: 'ticket-1' }, String(user.body['accessToken'])),
      403,
      'FORBIDDEN',
    );
    // The support action is recorded with the agent who logged in.
    const pool = new Pool({ connectionString: identity.db.url });
    try {
      const { rows } = await pool.query<{ data: unknown; actor: string }>(
        `SELECT data, metadata->>'actor' AS actor FROM identity.events WHERE stream = $1 AND type = 'identity.AccountFrozen.v1'`,
        [`user-${userId}`],
      );
      expect(rows).toEqual([
        { data: expect.objectContaining({ actor: { kind: 'support', agentId: 'agent-7' } }), actor: 'support:agent-7' },
      ]);
    } finally {
      await pool.end();
    }
  });

  it('holds the lock and the one use of a code across gateway instances: every attempt is recorded on the agent in identity', async () => {
    const second = await startGateway(config, { kafka: testKafka('gateway-sessions-second'), logger: false });
    try {
      const login = (through: RunningGateway, password: string, totpCode: string) =>
        post('/support/sessions', { agentId: 'agent-8', password, totpCode }, undefined, through);
      const code = codeOf(SECRETS.locked);
      expect((await login(gateway, AGENT_PASSWORD, code)).status).toBe(200);
      // The code the first instance accepted opens nothing through the second.
      expectProblem(await login(second, AGENT_PASSWORD, code), 401, 'INVALID_CREDENTIALS');
      // Failures through both instances count together: the fifth locks the agent everywhere.
      for (const through of [gateway, second, gateway])
        expectProblem(await login(through, 'wrong password', codeOf(SECRETS.locked, 1)), 401, 'INVALID_CREDENTIALS');
      expectProblem(await login(second, 'wrong password', codeOf(SECRETS.locked, 1)), 423, 'LOGIN_LOCKED');
      // Locked: the right password and a fresh code are refused through either instance.
      expectProblem(await login(gateway, AGENT_PASSWORD, codeOf(SECRETS.locked, 1)), 423, 'LOGIN_LOCKED');
      expectProblem(await login(second, AGENT_PASSWORD, codeOf(SECRETS.locked, 1)), 423, 'LOGIN_LOCKED');
      const pool = new Pool({ connectionString: identity.db.url });
      try {
        const { rows } = await pool.query<{ type: string; reason: string | null }>(
          `SELECT type, data->>'reason' AS reason FROM identity.events WHERE stream = 'staff-agent-8' ORDER BY revision`,
        );
        expect(rows).toEqual([
          { type: 'identity.StaffLoggedIn.v1', reason: null },
          { type: 'identity.StaffLoginFailed.v1', reason: 'code_reused' },
          ...Array.from({ length: 3 }, () => ({ type: 'identity.StaffLoginFailed.v1', reason: 'password' })),
          // The fourth wrong password is the fifth failure: recorded, and the lock with it.
          { type: 'identity.StaffLoginFailed.v1', reason: 'password' },
          { type: 'identity.StaffLoginLocked.v1', reason: null },
        ]);
      } finally {
        await pool.end();
      }
    } finally {
      await second.stop();
    }
  });

  it("lets a supervisor, and nobody else, list what a member of staff did, logins included (the projector's trail)", async () => {
    const projector = await startCommandService({
      context: PROJECTOR_CONTEXT,
      module: projectorModule({
        databaseUrl: identity.db.url,
        projections: [identityStaffActionsProjection],
        pollIntervalMs: 50,
        dashboardPort: false,
        // Only the staff trail runs here: the ledger's invariants have nothing to watch.
        alerts: false,
      }),
      topicPrefix: identity.topicPrefix,
      logger: false,
    });
    try {
      // A minute on, so each agent's next code is one their earlier logins have not used.
      identity.clock.advance(60_000);
      const session = await post('/support/sessions', {
        agentId: 'super-1',
        password: AGENT_PASSWORD,
        totpCode: codeOf(SECRETS.supervisor),
      });
      const supervisor = String(session.body['accessToken']);
      const trail = async (agentId: string, token: string, query = '') => {
        const response = await fetch(`${gateway.url}/support/staff/${agentId}/actions${query}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      // The read model trails the store: wait for the lock recorded by the test above.
      let actions: Array<Record<string, unknown>> = [];
      for (
        let waited = 0;
        !actions.some((action) => action['action'] === 'identity.StaffLoginLocked.v1') && waited < 30_000;
        waited += 200
      ) {
        const answer = await trail('agent-8', supervisor);
        expect(answer.status).toBe(200);
        actions = answer.body['actions'] as Array<Record<string, unknown>>;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(actions.map((action) => [action['action'], action['role'], action['stream']])).toEqual([
        ['identity.StaffLoginLocked.v1', 'login', 'staff-agent-8'],
        ...Array.from({ length: 5 }, () => ['identity.StaffLoginFailed.v1', 'login', 'staff-agent-8']),
        ['identity.StaffLoggedIn.v1', 'login', 'staff-agent-8'],
      ]);
      // agent-7 froze a user (the first staff test): the action, its subject and the agent's logins.
      const agent7 = await trail('agent-7', supervisor, '?limit=100');
      expect(agent7.body['actions']).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ action: 'identity.AccountFrozen.v1', role: 'support', subjectUserId: expect.any(String) }),
        ]),
      );
      const paged = await trail('agent-8', supervisor, '?limit=2');
      expect(await trail('agent-8', supervisor, `?limit=5&before=${String(paged.body['nextCursor'])}`)).toMatchObject({
        status: 200,
        body: { actions: actions.slice(2, 7) },
      });
      expectProblem(await trail('agent-8', supervisor, '?before=garbage'), 400, 'INVALID_COMMAND');
      const agent = await post('/support/sessions', { agentId: 'agent-7', password: AGENT_PASSWORD, totpCode: codeOf(SECRETS.support) });
      expectProblem(await trail('agent-8', String(agent.body['accessToken'])), 403, 'FORBIDDEN');
    } finally {
      await projector.close();
    }
  });

  it('lets each role do only what it is permitted: a teller no support action and no approval, customer service no cash, approval or maintenance, a supervisor maintenance', async () => {
    const tokenOf = async (agentId: string, secret: Buffer) => {
      const session = await post('/support/sessions', { agentId, password: AGENT_PASSWORD, totpCode: codeOf(secret, 1) });
      expect(session.status).toBe(200);
      return String(session.body['accessToken']);
    };
    const [teller, support, supervisor] = [
      await tokenOf('teller-3', SECRETS.teller),
      await tokenOf('agent-7', SECRETS.support),
      await tokenOf('super-1', SECRETS.supervisor),
    ];
    const { userId } = await registeredUser();
    expectProblem(await post(`/support/users/${userId}/freeze`, { reason: 'not a teller’s job' }, teller), 403, 'FORBIDDEN');
    const cash = { paymentId: `p-${userId}`, branchId: 'bj-001', amountMinor: '100000' };
    expectProblem(await post(`/support/users/${userId}/counter-top-ups`, cash, support), 403, 'FORBIDDEN');
    expectProblem(await post(`/support/users/${userId}/counter-top-ups`, cash, supervisor), 403, 'FORBIDDEN');
    // Maker-checker: only a supervisor decides on a large counter deposit, never a teller (the maker) or customer service.
    for (const token of [teller, support]) {
      expectProblem(await post(`/support/counter-top-ups/${cash.paymentId}/approval`, {}, token), 403, 'FORBIDDEN');
      expectProblem(
        await post(`/support/counter-top-ups/${cash.paymentId}/rejection`, { reason: 'not mine to decide' }, token),
        403,
        'FORBIDDEN',
      );
    }
    expectProblem(await post('/support/maintenance', { on: false }, support), 403, 'FORBIDDEN');
    expect(await post('/support/maintenance', { on: false }, supervisor)).toMatchObject({ status: 200 });
    expect(await post(`/support/users/${userId}/freeze`, { reason: 'supervisor on the hotline' }, supervisor)).toMatchObject({
      status: 200,
    });
  });
});

describe('second factor', () => {
  it('enables TOTP (provisioning URI once) on confirmation with recovery codes, then login needs a code, and disabling needs a current code and the payment password', async () => {
    const { userId, phone } = await registeredUser();
    const token = String((await login(phone)).body['accessToken']);
    const enabled = await post(`/users/${userId}/second-factor`, {}, token);
    expect(enabled).toMatchObject({ status: 200, body: { userId, provisioningUri: expect.stringMatching(/^otpauth:\/\/totp\//) } });
    const secret = base32Decode(/secret=([A-Z2-7]+)/.exec(String(enabled.body['provisioningUri']))![1]!);
    const code = () => totp(secret, identity.clock.now().getTime());
    const confirm = (secondFactorCode: string) => post(`/users/${userId}/second-factor/confirmation`, { secondFactorCode }, token);

    // Pending until confirmed: nothing asks for a code yet.
    expect((await login(phone)).status).toBe(200);
    expectProblem(await confirm(String((Number(code()) + 500_000) % 1_000_000).padStart(6, '0')), 422, 'SECOND_FACTOR_CODE_INVALID');
    const confirmed = await confirm(code());
    expect(confirmed).toMatchObject({ status: 200, body: { userId, enabledAt: expect.any(String), recoveryCodesLeft: 10 } });
    const recoveryCodes = confirmed.body['recoveryCodes'] as string[];
    expect(recoveryCodes).toHaveLength(10);
    for (const recoveryCode of recoveryCodes) expect(recoveryCode).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
    expectProblem(await confirm(code()), 409, 'SECOND_FACTOR_NOT_PENDING');
    expectProblem(await post(`/users/${userId}/second-factor`, {}, token), 409, 'SECOND_FACTOR_ALREADY_ENABLED');

    expectProblem(await login(phone), 401, 'SECOND_FACTOR_REQUIRED');
    expect((await login(phone, { secondFactorCode: code() })).status).toBe(200);
    // A recovery code stands in for the dynamic code once.
    expect((await login(phone, { secondFactorCode: recoveryCodes[0]! })).status).toBe(200);
    expectProblem(await login(phone, { secondFactorCode: recoveryCodes[0]! }), 422, 'INVALID_SECOND_FACTOR');

    const disable = (body: Record<string, string>) => post(`/users/${userId}/second-factor/disable`, body, token);
    expectProblem(await disable({ secondFactorCode: code() }), 400, 'VALIDATION_FAILED');
    expectProblem(await disable({ secondFactorCode: code(), paymentPassword: PAYMENT_PASSWORD }), 422, 'PAYMENT_PASSWORD_NOT_SET');
    expect(
      (await post(`/users/${userId}/payment-password`, { paymentPassword: PAYMENT_PASSWORD, secondFactorCode: code() }, token)).status,
    ).toBe(200);

    const wrongCode = String((Number(code()) + 500_000) % 1_000_000).padStart(6, '0');
    expectProblem(await disable({ secondFactorCode: wrongCode, paymentPassword: PAYMENT_PASSWORD }), 422, 'INVALID_SECOND_FACTOR');
    const wrongPassword = await disable({ secondFactorCode: code(), paymentPassword: '135792' });
    expectProblem(wrongPassword, 422, 'WRONG_PAYMENT_PASSWORD');
    expect(wrongPassword.body['details']).toEqual({ attemptsLeft: 4 });
    expectProblem(
      await post(`/users/other-user/second-factor/disable`, { secondFactorCode: code(), paymentPassword: PAYMENT_PASSWORD }, token),
      403,
      'FORBIDDEN',
    );
    // Refused attempts changed nothing: the second factor is still on.
    expectProblem(await login(phone), 401, 'SECOND_FACTOR_REQUIRED');

    expect(await disable({ secondFactorCode: code(), paymentPassword: PAYMENT_PASSWORD })).toMatchObject({ status: 200, body: { userId } });
    expect((await login(phone)).status).toBe(200);
    expectProblem(await disable({ secondFactorCode: code(), paymentPassword: PAYMENT_PASSWORD }), 422, 'SECOND_FACTOR_NOT_ENABLED');
  });
});

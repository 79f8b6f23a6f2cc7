import 'reflect-metadata';
import { identityContract as identity, type CommandContract } from '@ledger/contracts';
import { createEventStore } from '@ledger/event-store';
import { forbiddenAttempts, testKafka, TopicRecorder } from '@ledger/testing';
import {
  GOOD_PAYMENT_PASSWORD,
  eventually,
  expectAccepted,
  expectRejected,
  randomPhone,
  startIdentityHarness,
  type IdentityHarness,
} from '../../testing/identity-harness';

describe('identity freeze and unfreeze over Kafka', () => {
  let h: IdentityHarness;
  let events: TopicRecorder;

  beforeAll(async () => {
    h = await startIdentityHarness('identity_freeze');
    events = await new TopicRecorder(testKafka('identity-freeze-events'), [h.eventsTopic]).start();
  });

  afterAll(async () => {
    await events.stop();
    await h.stop();
  });

  const verify = (userId: string, purpose: 'payment' | 'transfer' | 'bind_card') =>
    h.send(
      identity.verifyPaymentPassword,
      { userId, paymentPassword: h.enc('paymentPassword', GOOD_PAYMENT_PASSWORD), purpose },
      'system:payments',
    );
  const published = (type: string, userId: string) =>
    events.waitFor((m) => m.message.headers?.['message-type']?.toString() === type && m.message.key?.toString() === `user-${userId}`);

  async function userWithPaymentPassword(phone: string): Promise<string> {
    const userId = await h.register(phone);
    expectAccepted(
      await h.send(
        identity.setPaymentPassword,
        { userId, paymentPassword: h.enc('paymentPassword', GOOD_PAYMENT_PASSWORD) },
        `user:${userId}`,
      ),
    );
    return userId;
  }

  it('refuses every staff command from a sender its contract does not list, or asserting an actor that sender may not assert; nothing is recorded', async () => {
    const userId = await userWithPaymentPassword(randomPhone());
    const store = createEventStore(h.db.url, { schema: 'identity', poolSize: 1 });
    try {
      const before = await store.readStream(`user-${userId}`);
      const commands: Array<[CommandContract, Record<string, unknown>, string]> = [
        [identity.freezeAccount, { userId, reason: 'forged' }, userId],
        [identity.unfreezeAccount, { userId, verificationReference: 'forged' }, userId],
        [identity.resetSecondFactor, { userId, verificationReference: 'forged' }, userId],
        [identity.setMaintenanceMode, { on: true, until: '2099-01-01T00:00:00.000Z', message: 'forged' }, 'maintenance'],
        [
          identity.raiseRiskAlert,
          { userId, signal: 'suspicious_transactions', severity: 'high', description: 'forged', protect: true },
          userId,
        ],
      ];
      const outcomes = await Promise.all(
        commands.flatMap(([contract, payload, key]) =>
          forbiddenAttempts(contract, userId).map(async ({ sender, actor }) => {
            const result = await h.client.send(contract, payload as never, { key, actor, sender });
            return { command: contract.type, sender, actor, code: result.status === 'rejected' ? result.code : 'accepted' };
          }),
        ),
      );
      expect(outcomes.length).toBeGreaterThan(40);
      expect(outcomes.filter((outcome) => outcome.code !== 'FORBIDDEN')).toEqual([]);
      // The attacks of record: support's unfreeze and second-factor reset claimed by an internal system.
      expect(outcomes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ command: identity.unfreezeAccount.type, sender: 'internal', actor: 'support:attacker-1' }),
          expect.objectContaining({ command: identity.resetSecondFactor.type, sender: 'internal', actor: 'system:risk-engine' }),
        ]),
      );
      expect(await store.readStream(`user-${userId}`)).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it('a support freeze blocks money-moving verification at once; the user unfreezes with an SMS code and the payment password', async () => {
    const phone = randomPhone();
    const userId = await userWithPaymentPassword(phone);
    expectRejected(await h.send(identity.freezeAccount, { userId, reason: 'lost phone' }, 'user:another-user'), 'FORBIDDEN');
    const frozen = expectAccepted(await h.send(identity.freezeAccount, { userId, reason: 'lost phone (95588 call)' }, 'support:agent-3'));
    expect(frozen['frozenAt']).toBe(h.clock.now().toISOString());
    expectRejected(await h.send(identity.freezeAccount, { userId, reason: 'again' }, 'support:agent-3'), 'ALREADY_FROZEN');

    expect(expectRejected(await verify(userId, 'payment'), 'ACCOUNT_FROZEN').details).toMatchObject({
      reason: 'lost phone (95588 call)',
      purpose: 'payment',
    });
    expectRejected(await verify(userId, 'transfer'), 'ACCOUNT_FROZEN');
    // Managing cards is not moving money: the owner can still do it.
    expectAccepted(await verify(userId, 'bind_card'));

    const event = await published(identity.EVENT_TYPES.AccountFrozen, userId);
    expect(JSON.parse(event.message.value!.toString())).toMatchObject({ userId, actor: { kind: 'support', agentId: 'agent-3' } });
    const view = await eventually(async () => {
      const found = expectAccepted(await h.send(identity.findUserByPhone, { phone: h.enc('phone', phone) }, 'system:payments'));
      expect(found['status']).toBe('frozen');
      return found;
    });
    expect(view).toMatchObject({ userId });

    const unfreeze = (payload: Partial<{ code: string; paymentPassword: string }>) =>
      h.send(
        identity.unfreezeAccount,
        {
          userId,
          ...(payload.code === undefined ? {} : { code: h.enc('code', payload.code) }),
          ...(payload.paymentPassword === undefined ? {} : { paymentPassword: h.enc('paymentPassword', payload.paymentPassword) }),
        },
        `user:${userId}`,
      );
    expect(expectRejected(await unfreeze({ paymentPassword: GOOD_PAYMENT_PASSWORD }), 'INVALID_INPUT').details).toEqual({ field: 'code' });
    expectAccepted(await h.send(identity.requestVerificationCode, { phone: h.enc('phone', phone), purpose: 'unfreeze' }));
    const code = h.latestCode(phone);
    // A mistyped payment password counts against the password's lockout and leaves the SMS code usable.
    expect(expectRejected(await unfreeze({ code, paymentPassword: '000000' }), 'WRONG_PAYMENT_PASSWORD').details).toMatchObject({
      attemptsLeft: expect.any(Number),
    });
    expectAccepted(await unfreeze({ code, paymentPassword: GOOD_PAYMENT_PASSWORD }));
    expectAccepted(await verify(userId, 'payment'));
    expectRejected(await unfreeze({ code, paymentPassword: GOOD_PAYMENT_PASSWORD }), 'NOT_FROZEN');
    await published(identity.EVENT_TYPES.AccountUnfrozen, userId);
    await eventually(async () =>
      expect(expectAccepted(await h.send(identity.findUserByPhone, { phone: h.enc('phone', phone) }, 'system:payments'))['status']).toBe(
        'active',
      ),
    );
  });

  it('a risk-control freeze cannot be lifted by the user, only by customer service', async () => {
    const phone = randomPhone();
    const userId = await userWithPaymentPassword(phone);
    const alert = {
      userId,
      signal: 'suspicious_transactions' as const,
      severity: 'high' as const,
      description: '12 payments in 1 minute',
      protect: true,
    };
    expectRejected(await h.send(identity.raiseRiskAlert, alert, `user:${userId}`), 'FORBIDDEN');
    expect(expectAccepted(await h.send(identity.raiseRiskAlert, alert, 'risk:velocity-rule-1'))).toEqual({ userId, frozen: true });
    expectRejected(await verify(userId, 'payment'), 'ACCOUNT_FROZEN');

    expectAccepted(await h.send(identity.requestVerificationCode, { phone: h.enc('phone', phone), purpose: 'unfreeze' }));
    const byUser = await h.send(
      identity.unfreezeAccount,
      { userId, code: h.enc('code', h.latestCode(phone)), paymentPassword: h.enc('paymentPassword', GOOD_PAYMENT_PASSWORD) },
      `user:${userId}`,
    );
    expectRejected(byUser, 'UNFREEZE_REQUIRES_SUPPORT');
    expect(expectRejected(await h.send(identity.unfreezeAccount, { userId }, 'support:agent-5'), 'INVALID_INPUT').details).toEqual({
      field: 'verificationReference',
    });
    expectAccepted(await h.send(identity.unfreezeAccount, { userId, verificationReference: 'video-kyc-42' }, 'support:agent-5'));
    expectAccepted(await verify(userId, 'payment'));
    const raised = await published(identity.EVENT_TYPES.RiskAlertRaised, userId);
    expect(JSON.parse(raised.message.value!.toString())).toMatchObject({
      signal: 'suspicious_transactions',
      source: 'risk:velocity-rule-1',
    });
  });

  it('the owner can freeze their own wallet, still log in, and is told it is frozen', async () => {
    const phone = randomPhone();
    const userId = await h.register(phone, undefined, { deviceId: 'phone-A' });
    expectAccepted(await h.send(identity.freezeAccount, { userId, reason: 'phone stolen' }, `user:${userId}`));
    const session = expectAccepted(
      await h.send(identity.login, {
        phone: h.enc('phone', phone),
        loginPassword: h.enc('loginPassword', 'Wallet2026ok'),
        deviceId: 'phone-A',
      }),
    );
    expect(session).toMatchObject({ userId, frozen: true });
  });
});

import 'reflect-metadata';
import type { INestMicroservice } from '@nestjs/common';
import { TEST_CARDS } from '@ledger/util/testing';
import { startCommandService } from '@ledger/messaging';
import { createTestDatabase, testKafka, type TestDatabase } from '@ledger/testing';
import {
  GOOD_LOGIN_PASSWORD,
  GOOD_PAYMENT_PASSWORD,
  randomPhone,
  startIdentityHarness,
  type IdentityHarness,
} from '@ledger/identity-service/testing';
import { startCardsHarness, type CardsHarness } from '@ledger/cards-service/testing';
import { WALLET_CONTEXT, walletModule } from '@ledger/wallet-service';
import { startGateway, type RunningGateway, loadGatewayConfig } from '@ledger/gateway-service';

jest.setTimeout(180_000);

/**
 * Identity, cards and wallet on one topic prefix behind the gateway: bind cards (one refused as
 * non-ICBC), list them masked, choose the default, open the wallet once its prerequisites are known
 * from the events, read the balance, unbind with the payment password.
 */
let identity: IdentityHarness;
let cards: CardsHarness;
let walletDb: TestDatabase;
let wallet: INestMicroservice;
let gateway: RunningGateway;

beforeAll(async () => {
  identity = await startIdentityHarness('gateway-wc-identity');
  cards = await startCardsHarness('gateway-wc-cards', { topicPrefix: identity.topicPrefix, fieldKeyring: identity.fieldKeyring });
  walletDb = await createTestDatabase('gateway-wc-wallet');
  wallet = await startCommandService({
    context: WALLET_CONTEXT,
    module: walletModule({ databaseUrl: walletDb.url, topicPrefix: identity.topicPrefix, pollIntervalMs: 100 }),
    topicPrefix: identity.topicPrefix,
    logger: false,
  });
  gateway = await startGateway(loadGatewayConfig({ port: 0, topicPrefix: identity.topicPrefix, commandTimeoutMs: 45_000 }), {
    kafka: testKafka('gateway-wc'),
    logger: false,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await wallet?.close();
  await walletDb?.drop();
  await cards?.stop();
  await identity?.stop();
});

async function call(path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Retries until the answer has the status (read models and event followers are eventually consistent). */
async function until(
  probe: () => Promise<{ status: number; body: Record<string, unknown> }>,
  status: number,
  check: (body: Record<string, unknown>) => boolean = () => true,
) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const result = await probe();
    if (result.status === status && check(result.body)) return result;
    if (Date.now() > deadline) throw new Error(`still ${result.status} ${JSON.stringify(result.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

it('binds cards, opens the wallet, shows the balance and unbinds a card, all through HTTP', async () => {
  const phone = randomPhone();
  expect((await call('/verification-codes', undefined, { phone, purpose: 'registration' })).status).toBe(202);
  const registered = await call('/users', undefined, {
    phone,
    code: identity.latestCode(phone),
    loginPassword: GOOD_LOGIN_PASSWORD,
    name: '张三',
    deviceId: 'phone-1',
  });
  const userId = String(registered.body['userId']);
  const login = await call('/sessions', undefined, { phone, loginPassword: GOOD_LOGIN_PASSWORD, deviceId: 'phone-1' });
  const token = String(login.body['accessToken']);

  // Not yet: no payment password, no card.
  const early = await call(`/users/${userId}/wallet`, token, {});
  expect(early).toMatchObject({ status: 422, body: { code: 'WALLET_PREREQUISITES_MISSING' } });

  expect((await call(`/users/${userId}/payment-password`, token, { paymentPassword: GOOD_PAYMENT_PASSWORD })).status).toBe(200);
  const card = TEST_CARDS.zhangSanDebit;
  const bound = await call(`/users/${userId}/cards`, token, {
    cardNumber: card.number,
    holderName: card.holderName,
    reservedPhone: card.reservedPhone,
  });
  expect(bound).toMatchObject({ status: 201, body: { maskedNumber: expect.stringMatching(/\*{4} 3452$/), isDefault: true } });
  expect(JSON.stringify(bound.body)).not.toContain(card.number);
  const second = await call(`/users/${userId}/cards`, token, {
    cardNumber: TEST_CARDS.zhangSanSecond.number,
    holderName: TEST_CARDS.zhangSanSecond.holderName,
    reservedPhone: TEST_CARDS.zhangSanSecond.reservedPhone,
  });
  expect(second.status).toBe(201);
  const nonIcbc = await call(`/users/${userId}/cards`, token, {
    cardNumber: TEST_CARDS.nonIcbc.number,
    holderName: TEST_CARDS.nonIcbc.holderName,
    reservedPhone: TEST_CARDS.nonIcbc.reservedPhone,
  });
  expect(nonIcbc).toMatchObject({ status: 422, body: { code: 'CARD_NOT_SUPPORTED' } });

  const listed = await until(
    () => call(`/users/${userId}/cards`, token),
    200,
    (body) => (body['cards'] as unknown[]).length === 2,
  );
  expect(JSON.stringify(listed.body)).not.toContain(card.number);
  const secondId = String(second.body['cardId']);
  expect(await call(`/users/${userId}/cards/${secondId}/default`, token, {})).toMatchObject({
    status: 200,
    body: { defaultCardId: secondId },
  });

  // The wallet learns the payment password and the card from events: retry until it knows.
  const opened = await until(() => call(`/users/${userId}/wallet`, token, {}), 201);
  expect(opened.body).toMatchObject({ userId, walletId: expect.any(String) });
  expect(await call(`/users/${userId}/wallet`, token, {})).toMatchObject({ status: 409, body: { code: 'WALLET_ALREADY_OPEN' } });
  const balance = await call(`/users/${userId}/wallet`, token);
  expect(balance).toMatchObject({ status: 200, body: { userId, totalMinor: '0', availableMinor: '0', heldMinor: '0', currency: 'CNY' } });

  const wrong = await call(`/users/${userId}/cards/${String(bound.body['cardId'])}/unbind`, token, { paymentPassword: '135790' });
  expect(wrong).toMatchObject({ status: 422, body: { code: 'WRONG_PAYMENT_PASSWORD', details: { attemptsLeft: 4 } } });
  const unbound = await call(`/users/${userId}/cards/${String(bound.body['cardId'])}/unbind`, token, {
    paymentPassword: GOOD_PAYMENT_PASSWORD,
  });
  expect(unbound).toMatchObject({ status: 200, body: { remainingCards: 1 } });
});

import { luhnValid } from '@ledger/util';
import { TEST_CARDS, UNKNOWN_ICBC_CARD_NUMBER, loadTestCard } from '@ledger/util/testing';
import { SimulatedFailure } from '../simulated-failure';
import { CardIssuerSimulator, type IssuerAnswer } from './card-issuer-simulator';

/** A sleep that records what it was asked to wait and returns at once. */
function fakeSleep() {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
}

function issuer() {
  const clock = fakeSleep();
  return { ...clock, bank: new CardIssuerSimulator({ sleep: clock.sleep, timeoutMs: 3_000 }) };
}

const zhangSan = { holderName: '张三', reservedPhone: '13800138000' };
const { zhangSanDebit: debit } = TEST_CARDS;

describe('the card issuer simulator: verifyCard', () => {
  it('every test card number passes Luhn', () => {
    for (const card of Object.values(TEST_CARDS)) expect(luhnValid(card.number)).toBe(true);
    expect(luhnValid(UNKNOWN_ICBC_CARD_NUMBER)).toBe(true);
  });

  it('answers valid with a deterministic token for 张三’s cards (spaces and +86 forgiven)', async () => {
    const { bank } = issuer();
    await expect(bank.verifyCard({ cardNumber: '6222 0200 0012 3452', ...zhangSan })).resolves.toEqual({
      outcome: 'valid',
      cardToken: 'tok_icbc_0001',
      cardType: 'debit',
      expiresOn: '2031-12',
    });
    await expect(
      bank.verifyCard({ cardNumber: TEST_CARDS.zhangSanSecond.number, holderName: '张三', reservedPhone: '+86 138-0013-8000' }),
    ).resolves.toMatchObject({ outcome: 'valid', cardToken: 'tok_icbc_0002' });
    await expect(bank.verifyCard({ cardNumber: TEST_CARDS.zhangSanCredit.number, ...zhangSan })).resolves.toMatchObject({
      outcome: 'valid',
      cardType: 'credit',
    });
  });

  it.each([
    ['expired', 'expired', TEST_CARDS.expired.number, zhangSan],
    ['blocked', 'blocked', TEST_CARDS.blocked.number, zhangSan],
    ['李四’s card as 张三', 'holder_mismatch', TEST_CARDS.liSi.number, zhangSan],
    ['another reserved phone', 'phone_mismatch', debit.number, { holderName: '张三', reservedPhone: '13900139000' }],
    ['a non-ICBC card', 'unknown_card', TEST_CARDS.nonIcbc.number, zhangSan],
    ['a number ICBC never issued', 'unknown_card', UNKNOWN_ICBC_CARD_NUMBER, zhangSan],
  ])('answers %s with %s', async (_name, outcome, cardNumber, person) => {
    await expect(issuer().bank.verifyCard({ cardNumber, ...person })).resolves.toEqual({ outcome });
  });

  it('logs calls with the last four digits only', async () => {
    const { bank } = issuer();
    await bank.verifyCard({ cardNumber: debit.number, ...zhangSan });
    expect(bank.calls).toEqual([{ operation: 'verifyCard', card: '3452' }]);
    expect(JSON.stringify(bank.calls)).not.toMatch(/\d{12}/);
  });
});

describe('the card issuer simulator: checkCard and later status changes', () => {
  it('reports the card status, and unknown tokens as blocked', async () => {
    const { bank } = issuer();
    await expect(bank.checkCard(debit.cardToken)).resolves.toEqual({ status: 'active' });
    await expect(bank.checkCard(TEST_CARDS.expired.cardToken)).resolves.toEqual({ status: 'expired' });
    await expect(bank.checkCard('tok_nope')).resolves.toEqual({ status: 'blocked' });
  });

  it('lets a test block or renew a card later (by token or number)', async () => {
    const { bank } = issuer();
    bank.setCardStatus(debit.cardToken, 'blocked');
    await expect(bank.checkCard(debit.cardToken)).resolves.toEqual({ status: 'blocked' });
    await expect(bank.verifyCard({ cardNumber: debit.number, ...zhangSan })).resolves.toEqual({ outcome: 'blocked' });
    bank.setCardStatus(TEST_CARDS.expired.number, 'active');
    expect(bank.statusOf(TEST_CARDS.expired.cardToken)).toBe('active');
    expect(() => bank.setCardStatus('tok_nope', 'active')).toThrow(RangeError);
  });
});

describe('the card issuer simulator: switches', () => {
  it('slow(ms) waits through the injected sleep on every call', async () => {
    const { bank, slept } = issuer();
    bank.slow(800);
    await bank.checkCard(debit.cardToken);
    await bank.charge(debit.cardToken, 100n, 'r-1');
    expect(slept).toEqual([800, 800]);
    bank.slow(0);
    await bank.checkCard(debit.cardToken);
    expect(slept).toEqual([800, 800]);
    expect(() => bank.slow(-1)).toThrow(RangeError);
  });

  it('failNext(n, unavailable) fails the next n calls at once, then answers again', async () => {
    const { bank, slept } = issuer();
    bank.failNext(2, 'unavailable');
    await expect(bank.checkCard(debit.cardToken)).rejects.toEqual(new SimulatedFailure('unavailable', 'checkCard'));
    const second = await bank.verifyCard({ cardNumber: debit.number, ...zhangSan }).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(SimulatedFailure);
    expect(second).toMatchObject({ failure: 'unavailable', operation: 'verifyCard' });
    await expect(bank.checkCard(debit.cardToken)).resolves.toEqual({ status: 'active' });
    expect(slept).toEqual([]);
  });

  it('failNext(n, timeout, { operation }) waits the timeout, fails only that operation, and moves no money', async () => {
    const { bank, slept } = issuer();
    bank.failNext(1, 'timeout', { operation: 'charge' });
    await expect(bank.checkCard(debit.cardToken)).resolves.toEqual({ status: 'active' });
    await expect(bank.charge(debit.cardToken, 500n, 'r-1')).rejects.toMatchObject({ failure: 'timeout', operation: 'charge' });
    expect(slept).toEqual([3_000]);
    expect(bank.balanceOf(debit.cardToken)).toBe(debit.balanceMinor);
    await expect(bank.charge(debit.cardToken, 500n, 'r-1')).resolves.toMatchObject({ outcome: 'approved' });
  });

  it('failNext(…, { afterApplying }) moves the money and loses the answer; a retry with the same reference gets the original approval', async () => {
    const { bank } = issuer();
    bank.failNext(1, 'timeout', { operation: 'charge', afterApplying: true });
    await expect(bank.charge(debit.cardToken, 500n, 'r-1')).rejects.toBeInstanceOf(SimulatedFailure);
    expect(bank.balanceOf(debit.cardToken)).toBe(debit.balanceMinor - 500n);
    await expect(bank.charge(debit.cardToken, 500n, 'r-1')).resolves.toEqual({ outcome: 'approved', issuerReference: 'isr_000001' });
    expect(bank.balanceOf(debit.cardToken)).toBe(debit.balanceMinor - 500n);
    expect(() => bank.failNext(1, 'unavailable', { operation: 'charge', afterApplying: true })).toThrow(RangeError);
    expect(() => bank.failNext(1, 'timeout', { afterApplying: true })).toThrow(RangeError);
    expect(() => bank.failNext(0, 'timeout')).toThrow(RangeError);
  });

  it('declineNext(n, reason, { operation }) declines the next charges or payouts', async () => {
    const { bank } = issuer();
    bank.declineNext(1, 'limit_exceeded', { operation: 'payout' }).declineNext(1);
    await expect(bank.payout(debit.cardToken, 100n, 'p-1')).resolves.toEqual({ outcome: 'declined', reason: 'limit_exceeded' });
    await expect(bank.charge(debit.cardToken, 100n, 'r-1')).resolves.toEqual({ outcome: 'declined', reason: 'issuer_declined' });
    // Declines are not remembered: the same reference is decided again.
    await expect(bank.charge(debit.cardToken, 100n, 'r-1')).resolves.toMatchObject({ outcome: 'approved' });
  });

  it('answerTwice(n) delivers the next n answers to listeners twice', async () => {
    const { bank } = issuer();
    const answers: IssuerAnswer[] = [];
    const unsubscribe = bank.onAnswer((answer) => answers.push(answer));
    bank.answerTwice();
    const result = await bank.charge(debit.cardToken, 100n, 'r-1');
    expect(answers).toEqual([
      { operation: 'charge', cardToken: debit.cardToken, amountMinor: 100n, reference: 'r-1', result },
      { operation: 'charge', cardToken: debit.cardToken, amountMinor: 100n, reference: 'r-1', result },
    ]);
    await bank.charge(debit.cardToken, 100n, 'r-2');
    expect(answers).toHaveLength(3);
    expect(bank.balanceOf(debit.cardToken)).toBe(debit.balanceMinor - 200n);
    unsubscribe();
    await bank.charge(debit.cardToken, 100n, 'r-3');
    expect(answers).toHaveLength(3);
  });

  it('reset() clears every switch', async () => {
    const { bank, slept } = issuer();
    bank.slow(10).failNext(5, 'unavailable').declineNext(5).answerTwice(3).reset();
    await expect(bank.charge(debit.cardToken, 100n, 'r-1')).resolves.toMatchObject({ outcome: 'approved' });
    expect(slept).toEqual([]);
  });
});

describe('the card issuer simulator: charge and payout', () => {
  it('charges and pays out with deterministic issuer references', async () => {
    const { bank } = issuer();
    await expect(bank.charge(debit.cardToken, 1_000n, 'r-1')).resolves.toEqual({ outcome: 'approved', issuerReference: 'isr_000001' });
    await expect(bank.payout(debit.cardToken, 300n, 'w-1')).resolves.toEqual({ outcome: 'approved', issuerReference: 'isr_000002' });
    expect(bank.balanceOf(debit.cardToken)).toBe(debit.balanceMinor - 700n);
  });

  it('is idempotent by reference; the same reference with another amount is a duplicate', async () => {
    const { bank } = issuer();
    const first = await bank.charge(debit.cardToken, 1_000n, 'r-1');
    await expect(bank.charge(debit.cardToken, 1_000n, 'r-1')).resolves.toEqual(first);
    await expect(bank.charge(debit.cardToken, 2_000n, 'r-1')).resolves.toEqual({ outcome: 'declined', reason: 'duplicate_reference' });
    expect(bank.balanceOf(debit.cardToken)).toBe(debit.balanceMinor - 1_000n);
  });

  it.each([
    ['insufficient funds', debit.cardToken, debit.balanceMinor + 1n, 'insufficient_funds'],
    ['an expired card', TEST_CARDS.expired.cardToken, 1n, 'card_expired'],
    ['a blocked card', TEST_CARDS.blocked.cardToken, 1n, 'card_blocked'],
    ['an unknown token', 'tok_nope', 1n, 'unknown_card'],
  ])('declines a charge on %s', async (_name, token, amountMinor, reason) => {
    await expect(issuer().bank.charge(token, amountMinor, 'r-1')).resolves.toEqual({ outcome: 'declined', reason });
  });

  it('throws for a non-positive amount or an empty reference', async () => {
    const { bank } = issuer();
    await expect(bank.charge(debit.cardToken, 0n, 'r-1')).rejects.toThrow(RangeError);
    await expect(bank.payout(debit.cardToken, 1n, ' ')).rejects.toThrow(RangeError);
  });

  it('ignores non-ICBC cards given to it', async () => {
    const bank = new CardIssuerSimulator({ cards: [TEST_CARDS.nonIcbc], sleep: fakeSleep().sleep });
    await expect(bank.checkCard(TEST_CARDS.nonIcbc.cardToken)).resolves.toEqual({ status: 'blocked' });
  });
});

describe('the card issuer simulator: load-test cards', () => {
  it('knows generated cards 0 … n−1 only when asked, each verifiable by its own holder and phone', async () => {
    const bank = new CardIssuerSimulator({ loadTestCards: 3, sleep: fakeSleep().sleep });
    const card = loadTestCard(2);
    expect(luhnValid(card.number)).toBe(true);
    await expect(
      bank.verifyCard({ cardNumber: card.number, holderName: card.holderName, reservedPhone: card.reservedPhone }),
    ).resolves.toMatchObject({ outcome: 'valid', cardToken: card.cardToken });
    await expect(
      bank.verifyCard({ cardNumber: card.number, holderName: card.holderName, reservedPhone: loadTestCard(1).reservedPhone }),
    ).resolves.not.toMatchObject({ outcome: 'valid' });
    const beyond = loadTestCard(3);
    await expect(
      bank.verifyCard({ cardNumber: beyond.number, holderName: beyond.holderName, reservedPhone: beyond.reservedPhone }),
    ).resolves.toEqual({ outcome: 'unknown_card' });
    await expect(
      issuer().bank.verifyCard({ cardNumber: card.number, holderName: card.holderName, reservedPhone: card.reservedPhone }),
    ).resolves.toEqual({ outcome: 'unknown_card' });
  });

  it('never reuses a test card number, and refuses an index out of range', () => {
    const fixed = new Set<string>(Object.values(TEST_CARDS).map((card) => card.number));
    for (const index of [0, 1, 12_345, 99_999_999]) expect(fixed.has(loadTestCard(index).number)).toBe(false);
    expect(new Set([0, 1, 2, 10, 100].map((index) => loadTestCard(index).number)).size).toBe(5);
    expect(() => loadTestCard(-1)).toThrow(RangeError);
    expect(() => loadTestCard(100_000_000)).toThrow(RangeError);
  });
});

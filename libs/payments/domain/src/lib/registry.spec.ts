import { givenWhenThen } from '@ledger/util/testing';
import { PAYMENT_ERROR } from './codes';
import { createPaymentDecider } from './payment';
import type { PartnerDirectory } from './partner-directory';
import { MAX_MERCHANT_API_KEYS, merchantEntryOf, registryDecider, type RegistryCommand, type RegistryState } from './registry';

const NOW = '2026-12-07T10:00:00.000Z';
const { given, givenCommands } = givenWhenThen(registryDecider);
const onboard: RegistryCommand = {
  type: 'OnboardMerchant',
  merchantId: 'm-tea',
  name: '茶馆',
  channels: ['qr', 'qr', 'pos'],
  settlement: 'wallet',
  settlementAccount: '6222 0000 1111',
  now: NOW,
};
const merchant = (state: RegistryState) => {
  if (state.kind !== 'merchant') throw new Error('expected a merchant');
  return state;
};

describe('the merchant registry', () => {
  it('given nothing, when a merchant is onboarded, then it takes the wallet on its channels (each once)', () => {
    const then = given([]).when(onboard);
    expect(then.events).toEqual([
      {
        type: 'MerchantOnboarded',
        data: {
          merchantId: 'm-tea',
          name: '茶馆',
          channels: ['qr', 'pos'],
          settlement: 'wallet',
          settlementAccount: '6222 0000 1111',
          at: NOW,
        },
      },
    ]);
    expect(merchantEntryOf(merchant(then.state))).toEqual({
      merchantId: 'm-tea',
      name: '茶馆',
      acceptsWallet: true,
      channels: ['qr', 'pos'],
      settlement: 'wallet',
    });
  });

  it('given an onboarded merchant, when it is onboarded again, then ALREADY_ONBOARDED and nothing changes', () => {
    expect(given(givenCommands(onboard)).when(onboard)).toMatchObject({ events: [], code: PAYMENT_ERROR.ALREADY_ONBOARDED });
  });

  it('given nothing, when a merchant is suspended or re-channelled, then NOT_ONBOARDED', () => {
    expect(given([]).when({ type: 'SuspendMerchant', merchantId: 'm-tea', reason: 'fraud', now: NOW }).code).toBe(
      PAYMENT_ERROR.NOT_ONBOARDED,
    );
    expect(given([]).when({ type: 'ChangeMerchantChannels', merchantId: 'm-tea', channels: ['qr'], now: NOW }).code).toBe(
      PAYMENT_ERROR.NOT_ONBOARDED,
    );
  });

  it('given a suspended merchant, then it does not take the wallet, is not suspended twice, and takes it again once resumed', () => {
    const suspend: RegistryCommand = { type: 'SuspendMerchant', merchantId: 'm-tea', reason: 'chargebacks', now: NOW };
    const suspended = given(givenCommands(onboard, suspend));
    expect(merchantEntryOf(merchant(suspended.state)).acceptsWallet).toBe(false);
    expect(suspended.when(suspend).code).toBe(PAYMENT_ERROR.ALREADY_SUSPENDED);
    const resumed = suspended.when({ type: 'ResumeMerchant', merchantId: 'm-tea', now: NOW });
    expect(merchantEntryOf(merchant(resumed.state)).acceptsWallet).toBe(true);
    expect(given(givenCommands(onboard)).when({ type: 'ResumeMerchant', merchantId: 'm-tea', now: NOW }).code).toBe(
      PAYMENT_ERROR.NOT_SUSPENDED,
    );
  });

  it('keeps at most MAX_MERCHANT_API_KEYS live keys, by their hashes; a revoked key is gone and cannot be revoked twice', () => {
    const keys = Array.from({ length: MAX_MERCHANT_API_KEYS }, (_, i): RegistryCommand => ({
      type: 'IssueMerchantApiKey',
      merchantId: 'm-tea',
      keyId: `key${i}`,
      keyHash: `hash${i}`,
      now: NOW,
    }));
    const full = given(givenCommands(onboard, ...keys));
    expect(merchant(full.state).apiKeys).toMatchObject({ key0: 'hash0', key4: 'hash4' });
    expect(full.when({ type: 'IssueMerchantApiKey', merchantId: 'm-tea', keyId: 'key5', keyHash: 'hash5', now: NOW }).code).toBe(
      PAYMENT_ERROR.TOO_MANY_API_KEYS,
    );
    const revoked = full.when({ type: 'RevokeMerchantApiKey', merchantId: 'm-tea', keyId: 'key0', now: NOW });
    expect(Object.keys(merchant(revoked.state).apiKeys)).toEqual(['key1', 'key2', 'key3', 'key4']);
    expect(given(revoked.history).when({ type: 'RevokeMerchantApiKey', merchantId: 'm-tea', keyId: 'key0', now: NOW }).code).toBe(
      PAYMENT_ERROR.API_KEY_NOT_FOUND,
    );
  });

  it('given a biller, when it is suspended, then it takes no payment until resumed', () => {
    const biller: RegistryCommand = {
      type: 'OnboardBiller',
      billerId: 'b-gas',
      name: '燃气公司',
      category: 'gas',
      exactAmount: true,
      now: NOW,
    };
    const suspended = given(givenCommands(biller, { type: 'SuspendBiller', billerId: 'b-gas', reason: 'contract ended', now: NOW }));
    expect(suspended.state).toMatchObject({ kind: 'biller', suspended: true });
    expect(suspended.when({ type: 'ResumeBiller', billerId: 'b-gas', now: NOW }).state).toMatchObject({ kind: 'biller', suspended: false });
    expect(given(givenCommands(biller)).when(biller).code).toBe(PAYMENT_ERROR.ALREADY_ONBOARDED);
  });
});

describe("a payment's start reads the directory as it stands", () => {
  const start = (directory: PartnerDirectory, merchantId: string, channel: 'qr' | 'pos' | 'online') =>
    createPaymentDecider(directory).decide(
      {
        type: 'StartPayment',
        request: {
          kind: 'merchant',
          paymentId: `p-${merchantId}-${channel}`,
          userId: 'u-1',
          walletId: 'w-1',
          merchantId,
          channel,
          amountMinor: 100n,
          description: '',
        },
        now: NOW,
      },
      { status: 'none' },
    );
  const failureOf = (decided: ReturnType<typeof start>) =>
    Array.isArray(decided) ? decided.find((event) => event.type === 'PaymentFailed')?.data : undefined;

  it('a suspended merchant fails MERCHANT_NOT_SUPPORTED, a channel it does not take CHANNEL_NOT_SUPPORTED, an active one records its settlement', () => {
    const tea = merchant(given(givenCommands(onboard)).state);
    const directory = (entry: RegistryState): PartnerDirectory => ({
      merchant: (id) => (id === 'm-tea' ? merchantEntryOf(merchant(entry)) : undefined),
      biller: () => undefined,
    });
    expect(failureOf(start(directory({ ...tea, suspended: true }), 'm-tea', 'qr'))).toMatchObject({
      failure: { code: PAYMENT_ERROR.MERCHANT_NOT_SUPPORTED },
    });
    expect(failureOf(start(directory(tea), 'm-tea', 'online'))).toMatchObject({ failure: { code: PAYMENT_ERROR.CHANNEL_NOT_SUPPORTED } });
    const started = start(directory(tea), 'm-tea', 'qr');
    expect(Array.isArray(started) && started.map((event) => event.type)).toEqual(['PaymentInitiated']);
    expect(Array.isArray(started) && started[0]?.type === 'PaymentInitiated' && started[0].data.settlement).toBe('wallet');
  });
});

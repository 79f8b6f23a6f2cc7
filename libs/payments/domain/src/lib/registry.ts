/**
 * The merchant and biller registry as data: one stream per merchant (`registry-merchant.<id>`) and
 * per biller (`registry-biller.<id>`), each a small decider. Staff onboard, re-channel, suspend and
 * resume them; a merchant holds API keys (only their keyed hashes are recorded) for the merchant
 * API. The payments service folds every registry stream into the directory a payment's start reads
 * (`PartnerDirectory`).
 */
import { assertNever, reject, type Decider, type DomainRejection, type Instant } from '@ledger/util';
import type { BillerEntry } from './billers';
import { PAYMENT_ERROR } from './codes';
import type { MerchantEntry, MerchantSettlement, PaymentChannel } from './merchants';

/** Live API keys a merchant may hold at once (one in use, one being rolled out, a few spare). */
export const MAX_MERCHANT_API_KEYS = 5;
/** Every registry stream is of this category. */
export const REGISTRY_CATEGORY = 'registry';
export const merchantStreamOf = (merchantId: string): string => `${REGISTRY_CATEGORY}-merchant.${merchantId}`;
export const billerStreamOf = (billerId: string): string => `${REGISTRY_CATEGORY}-biller.${billerId}`;

export type RegistryCommand =
  | {
      type: 'OnboardMerchant';
      merchantId: string;
      name: string;
      channels: readonly PaymentChannel[];
      settlement: MerchantSettlement;
      /** Where the merchant's money is paid out (an account at the bank), as staff entered it. */
      settlementAccount: string;
      now: Instant;
    }
  | { type: 'ChangeMerchantChannels'; merchantId: string; channels: readonly PaymentChannel[]; now: Instant }
  | { type: 'SuspendMerchant'; merchantId: string; reason: string; now: Instant }
  | { type: 'ResumeMerchant'; merchantId: string; now: Instant }
  /** `keyHash` is the service's keyed hash of the key: the key itself is shown to staff once and kept nowhere. */
  | { type: 'IssueMerchantApiKey'; merchantId: string; keyId: string; keyHash: string; now: Instant }
  | { type: 'RevokeMerchantApiKey'; merchantId: string; keyId: string; now: Instant }
  | ({ type: 'OnboardBiller'; now: Instant } & BillerEntry)
  | { type: 'SuspendBiller'; billerId: string; reason: string; now: Instant }
  | { type: 'ResumeBiller'; billerId: string; now: Instant };

export type RegistryEvent =
  | {
      type: 'MerchantOnboarded';
      data: {
        merchantId: string;
        name: string;
        channels: PaymentChannel[];
        settlement: MerchantSettlement;
        settlementAccount: string;
        at: Instant;
      };
    }
  | { type: 'MerchantChannelsChanged'; data: { merchantId: string; channels: PaymentChannel[]; at: Instant } }
  | { type: 'MerchantSuspended'; data: { merchantId: string; reason: string; at: Instant } }
  | { type: 'MerchantResumed'; data: { merchantId: string; at: Instant } }
  | { type: 'MerchantApiKeyIssued'; data: { merchantId: string; keyId: string; keyHash: string; at: Instant } }
  | { type: 'MerchantApiKeyRevoked'; data: { merchantId: string; keyId: string; at: Instant } }
  | { type: 'BillerOnboarded'; data: BillerEntry & { at: Instant } }
  | { type: 'BillerSuspended'; data: { billerId: string; reason: string; at: Instant } }
  | { type: 'BillerResumed'; data: { billerId: string; at: Instant } };

export type RegistryEventType = RegistryEvent['type'];
export const REGISTRY_EVENT_TYPES: readonly RegistryEventType[] = [
  'MerchantOnboarded',
  'MerchantChannelsChanged',
  'MerchantSuspended',
  'MerchantResumed',
  'MerchantApiKeyIssued',
  'MerchantApiKeyRevoked',
  'BillerOnboarded',
  'BillerSuspended',
  'BillerResumed',
];

export interface RegisteredMerchant {
  kind: 'merchant';
  merchantId: string;
  name: string;
  channels: PaymentChannel[];
  settlement: MerchantSettlement;
  settlementAccount: string;
  suspended: boolean;
  /** Live keys only: keyId → keyed hash. */
  apiKeys: Record<string, string>;
}

export interface RegisteredBiller {
  kind: 'biller';
  biller: BillerEntry;
  suspended: boolean;
}

/** One registry stream's state: nothing yet, a merchant, or a biller. */
export type RegistryState = { kind: 'none' } | RegisteredMerchant | RegisteredBiller;

/** The merchant as a payment's start sees it: a suspended merchant does not accept the wallet. */
export const merchantEntryOf = (merchant: RegisteredMerchant): MerchantEntry => ({
  merchantId: merchant.merchantId,
  name: merchant.name,
  acceptsWallet: !merchant.suspended,
  channels: merchant.channels,
  settlement: merchant.settlement,
});

function decide(command: RegistryCommand, state: RegistryState): RegistryEvent[] | DomainRejection {
  const at = command.now;
  switch (command.type) {
    case 'OnboardMerchant':
      if (state.kind !== 'none') return reject(PAYMENT_ERROR.ALREADY_ONBOARDED, `${command.merchantId} is onboarded already`);
      return [
        {
          type: 'MerchantOnboarded',
          data: {
            merchantId: command.merchantId,
            name: command.name,
            channels: [...new Set(command.channels)],
            settlement: command.settlement,
            settlementAccount: command.settlementAccount,
            at,
          },
        },
      ];
    case 'OnboardBiller': {
      if (state.kind !== 'none') return reject(PAYMENT_ERROR.ALREADY_ONBOARDED, `${command.billerId} is onboarded already`);
      const { billerId, name, category, exactAmount } = command;
      return [{ type: 'BillerOnboarded', data: { billerId, name, category, exactAmount, at } }];
    }
    case 'ChangeMerchantChannels':
    case 'SuspendMerchant':
    case 'ResumeMerchant':
    case 'IssueMerchantApiKey':
    case 'RevokeMerchantApiKey':
      if (state.kind !== 'merchant') return reject(PAYMENT_ERROR.NOT_ONBOARDED, `no merchant ${command.merchantId}`);
      return decideMerchant(command, state);
    case 'SuspendBiller':
      if (state.kind !== 'biller') return reject(PAYMENT_ERROR.NOT_ONBOARDED, `no biller ${command.billerId}`);
      if (state.suspended) return reject(PAYMENT_ERROR.ALREADY_SUSPENDED, `${command.billerId} is suspended already`);
      return [{ type: 'BillerSuspended', data: { billerId: command.billerId, reason: command.reason, at } }];
    case 'ResumeBiller':
      if (state.kind !== 'biller') return reject(PAYMENT_ERROR.NOT_ONBOARDED, `no biller ${command.billerId}`);
      if (!state.suspended) return reject(PAYMENT_ERROR.NOT_SUSPENDED, `${command.billerId} is not suspended`);
      return [{ type: 'BillerResumed', data: { billerId: command.billerId, at } }];
    default:
      return assertNever(command);
  }
}

function decideMerchant(
  command: Extract<RegistryCommand, { merchantId: string; type: Exclude<RegistryCommand['type'], 'OnboardMerchant'> }>,
  merchant: RegisteredMerchant,
): RegistryEvent[] | DomainRejection {
  const { merchantId, now: at } = command;
  switch (command.type) {
    case 'ChangeMerchantChannels':
      return [{ type: 'MerchantChannelsChanged', data: { merchantId, channels: [...new Set(command.channels)], at } }];
    case 'SuspendMerchant':
      if (merchant.suspended) return reject(PAYMENT_ERROR.ALREADY_SUSPENDED, `${merchantId} is suspended already`);
      return [{ type: 'MerchantSuspended', data: { merchantId, reason: command.reason, at } }];
    case 'ResumeMerchant':
      if (!merchant.suspended) return reject(PAYMENT_ERROR.NOT_SUSPENDED, `${merchantId} is not suspended`);
      return [{ type: 'MerchantResumed', data: { merchantId, at } }];
    case 'IssueMerchantApiKey':
      if (Object.keys(merchant.apiKeys).length >= MAX_MERCHANT_API_KEYS)
        return reject(PAYMENT_ERROR.TOO_MANY_API_KEYS, `${merchantId} holds ${MAX_MERCHANT_API_KEYS} live API keys; revoke one first`);
      return [{ type: 'MerchantApiKeyIssued', data: { merchantId, keyId: command.keyId, keyHash: command.keyHash, at } }];
    case 'RevokeMerchantApiKey':
      if (merchant.apiKeys[command.keyId] === undefined)
        return reject(PAYMENT_ERROR.API_KEY_NOT_FOUND, `${merchantId} has no live key ${command.keyId}`);
      return [{ type: 'MerchantApiKeyRevoked', data: { merchantId, keyId: command.keyId, at } }];
    default:
      return assertNever(command);
  }
}

export function evolveRegistry(state: RegistryState, event: RegistryEvent): RegistryState {
  switch (event.type) {
    case 'MerchantOnboarded': {
      const { merchantId, name, channels, settlement, settlementAccount } = event.data;
      return { kind: 'merchant', merchantId, name, channels, settlement, settlementAccount, suspended: false, apiKeys: {} };
    }
    case 'BillerOnboarded': {
      const { billerId, name, category, exactAmount } = event.data;
      return { kind: 'biller', biller: { billerId, name, category, exactAmount }, suspended: false };
    }
    case 'BillerSuspended':
    case 'BillerResumed':
      return state.kind === 'biller' ? { ...state, suspended: event.type === 'BillerSuspended' } : state;
    default:
      break;
  }
  if (state.kind !== 'merchant') return state;
  switch (event.type) {
    case 'MerchantChannelsChanged':
      return { ...state, channels: event.data.channels };
    case 'MerchantSuspended':
      return { ...state, suspended: true };
    case 'MerchantResumed':
      return { ...state, suspended: false };
    case 'MerchantApiKeyIssued':
      return { ...state, apiKeys: { ...state.apiKeys, [event.data.keyId]: event.data.keyHash } };
    case 'MerchantApiKeyRevoked': {
      const { [event.data.keyId]: _revoked, ...apiKeys } = state.apiKeys;
      return { ...state, apiKeys };
    }
    default:
      return assertNever(event);
  }
}

export const registryDecider: Decider<RegistryCommand, RegistryEvent, RegistryState> = {
  decide,
  evolve: evolveRegistry,
  initialState: () => ({ kind: 'none' }),
};

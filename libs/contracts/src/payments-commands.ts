/**
 * The payments contract's commands and their list `COMMANDS` (re-exported by `payments.ts`, which describes the contract):
 * money out, money in (top-ups) and the queries, each in its own file.
 */
import {
  approveCounterTopUp,
  counterTopUp,
  providerCallback,
  providerTopUp,
  rejectCounterTopUp,
  topUpFromCard,
} from './payments-money-in-commands';
import { payBill, payMerchant, refundPayment, transfer, withdraw } from './payments-money-out-commands';
import { getPayment, listSupportAccess, listUserPayments, recordSupportAccess } from './payments-queries';
import {
  authenticateMerchant,
  changeMerchantChannels,
  issueMerchantApiKey,
  listMerchantPayments,
  listPartners,
  lookUpBill,
  onboardBiller,
  onboardMerchant,
  resumeBiller,
  resumeMerchant,
  revokeMerchantApiKey,
  suspendBiller,
  suspendMerchant,
} from './payments-registry-commands';

export * from './payments-money-out-commands';
export * from './payments-money-in-commands';
export * from './payments-queries';
export * from './payments-registry-commands';

export const COMMANDS = [
  payMerchant,
  topUpFromCard,
  transfer,
  withdraw,
  payBill,
  providerTopUp,
  providerCallback,
  counterTopUp,
  approveCounterTopUp,
  rejectCounterTopUp,
  refundPayment,
  getPayment,
  listUserPayments,
  listSupportAccess,
  recordSupportAccess,
  onboardMerchant,
  changeMerchantChannels,
  suspendMerchant,
  resumeMerchant,
  issueMerchantApiKey,
  revokeMerchantApiKey,
  onboardBiller,
  suspendBiller,
  resumeBiller,
  listPartners,
  lookUpBill,
  authenticateMerchant,
  listMerchantPayments,
] as const;

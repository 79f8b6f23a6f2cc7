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

export * from './payments-money-out-commands';
export * from './payments-money-in-commands';
export * from './payments-queries';

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
] as const;

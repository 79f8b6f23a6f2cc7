/**
 * The identity contract's commands and their list `COMMANDS` (re-exported by `identity.ts`, which describes the contract):
 * signing up and sessions, credentials, and account protection, each in its own file.
 */
import {
  findUserByPhone,
  freezeAccount,
  raiseRiskAlert,
  setMaintenanceMode,
  unfreezeAccount,
  verifyIdentity,
} from './identity-account-commands';
import {
  changeLoginPassword,
  changePaymentPassword,
  confirmSecondFactor,
  disableSecondFactor,
  enableSecondFactor,
  resetPaymentPassword,
  resetSecondFactor,
  setPaymentPassword,
  verifyPaymentPassword,
  verifySecondFactor,
  verifyStepUpCode,
} from './identity-credential-commands';
import { endSession, logInStaff, login, refreshSession, registerUser, requestVerificationCode } from './identity-session-commands';

// ---------------------------------------------------------------- commands (key = a keyed hash of the phone, or userId)

export * from './identity-session-commands';
export * from './identity-credential-commands';
export * from './identity-account-commands';

export const COMMANDS = [
  requestVerificationCode,
  registerUser,
  login,
  setPaymentPassword,
  changePaymentPassword,
  resetPaymentPassword,
  changeLoginPassword,
  verifyPaymentPassword,
  verifySecondFactor,
  verifyStepUpCode,
  enableSecondFactor,
  confirmSecondFactor,
  disableSecondFactor,
  resetSecondFactor,
  freezeAccount,
  unfreezeAccount,
  raiseRiskAlert,
  verifyIdentity,
  setMaintenanceMode,
  findUserByPhone,
  refreshSession,
  endSession,
  logInStaff,
] as const;

import { Controller } from '@nestjs/common';
import { identityContract as contract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { CommandHandler, type CommandEnvelope } from '@ledger/messaging';
import { IdentityService } from './identity.service';

/**
 * The identity commands on `identity.commands`. Each handler answers exactly one result; the codes
 * listed are the rejections it can answer with, besides INVALID_INPUT (a field the service cannot
 * use: a malformed phone, an undecryptable secret) and the transport's own codes.
 */
@Controller()
export class IdentityController {
  constructor(private readonly identity: IdentityService) {}

  /** RESEND_TOO_SOON, TOO_MANY_CODES, PHONE_ALREADY_REGISTERED (purpose registration), USER_NOT_FOUND (other purposes). */
  @CommandHandler(contract.requestVerificationCode)
  requestVerificationCode(command: CommandEnvelope<PayloadOf<typeof contract.requestVerificationCode>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.requestVerificationCode(command));
  }

  /**
   * PHONE_ALREADY_REGISTERED, INVALID_CODE, CODE_EXPIRED, CODE_ATTEMPTS_EXHAUSTED, CODE_ALREADY_USED,
   * CODE_NOT_REQUESTED, WEAK_PASSWORD, SYSTEM_MAINTENANCE.
   */
  @CommandHandler(contract.registerUser)
  registerUser(command: CommandEnvelope<PayloadOf<typeof contract.registerUser>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.registerUser(command));
  }

  /**
   * INVALID_CREDENTIALS, LOGIN_LOCKED, STEP_UP_REQUIRED, the code failures of the step-up code,
   * SECOND_FACTOR_REQUIRED, INVALID_SECOND_FACTOR, SECOND_FACTOR_LOCKED.
   */
  @CommandHandler(contract.login)
  login(command: CommandEnvelope<PayloadOf<typeof contract.login>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.login(command));
  }

  /** FORBIDDEN, USER_NOT_FOUND, PAYMENT_PASSWORD_ALREADY_SET, WEAK_PASSWORD, second-factor codes. */
  @CommandHandler(contract.setPaymentPassword)
  setPaymentPassword(command: CommandEnvelope<PayloadOf<typeof contract.setPaymentPassword>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.setPaymentPassword(command));
  }

  /** FORBIDDEN, USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, WEAK_PASSWORD, WRONG_PAYMENT_PASSWORD, PAYMENT_PASSWORD_LOCKED, second-factor codes. */
  @CommandHandler(contract.changePaymentPassword)
  changePaymentPassword(command: CommandEnvelope<PayloadOf<typeof contract.changePaymentPassword>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.changePaymentPassword(command));
  }

  /** USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, WEAK_PASSWORD, the code failures, second-factor codes. */
  @CommandHandler(contract.resetPaymentPassword)
  resetPaymentPassword(command: CommandEnvelope<PayloadOf<typeof contract.resetPaymentPassword>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.resetPaymentPassword(command));
  }

  /** FORBIDDEN, USER_NOT_FOUND, WEAK_PASSWORD, INVALID_CREDENTIALS, LOGIN_LOCKED, second-factor codes. */
  @CommandHandler(contract.changeLoginPassword)
  changeLoginPassword(command: CommandEnvelope<PayloadOf<typeof contract.changeLoginPassword>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.changeLoginPassword(command));
  }

  /** FORBIDDEN, USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, ACCOUNT_FROZEN (money-moving purposes), WRONG_PAYMENT_PASSWORD, PAYMENT_PASSWORD_LOCKED. */
  @CommandHandler(contract.verifyPaymentPassword)
  verifyPaymentPassword(command: CommandEnvelope<PayloadOf<typeof contract.verifyPaymentPassword>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.verifyPaymentPassword(command));
  }

  /** FORBIDDEN, USER_NOT_FOUND, the code failures of the login_step_up code (INVALID_CODE, CODE_EXPIRED, CODE_ATTEMPTS_EXHAUSTED, CODE_ALREADY_USED, CODE_NOT_REQUESTED). */
  @CommandHandler(contract.verifyStepUpCode)
  verifyStepUpCode(command: CommandEnvelope<PayloadOf<typeof contract.verifyStepUpCode>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.verifyStepUpCode(command));
  }

  /** FORBIDDEN, USER_NOT_FOUND, SECOND_FACTOR_ALREADY_ENABLED. */
  @CommandHandler(contract.enableSecondFactor)
  enableSecondFactor(command: CommandEnvelope<PayloadOf<typeof contract.enableSecondFactor>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.enableSecondFactor(command));
  }

  /** FORBIDDEN, USER_NOT_FOUND, SECOND_FACTOR_NOT_ENABLED, SECOND_FACTOR_REQUIRED, INVALID_SECOND_FACTOR, SECOND_FACTOR_LOCKED. */
  @CommandHandler(contract.disableSecondFactor)
  disableSecondFactor(command: CommandEnvelope<PayloadOf<typeof contract.disableSecondFactor>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.disableSecondFactor(command));
  }

  /** FORBIDDEN (not support), USER_NOT_FOUND, SECOND_FACTOR_NOT_ENABLED. */
  @CommandHandler(contract.resetSecondFactor)
  resetSecondFactor(command: CommandEnvelope<PayloadOf<typeof contract.resetSecondFactor>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.resetSecondFactor(command));
  }

  /** FORBIDDEN, USER_NOT_FOUND, ALREADY_FROZEN. */
  @CommandHandler(contract.freezeAccount)
  freezeAccount(command: CommandEnvelope<PayloadOf<typeof contract.freezeAccount>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.freezeAccount(command));
  }

  /**
   * FORBIDDEN, USER_NOT_FOUND, NOT_FROZEN, UNFREEZE_REQUIRES_SUPPORT, the code failures,
   * PAYMENT_PASSWORD_NOT_SET, WRONG_PAYMENT_PASSWORD, PAYMENT_PASSWORD_LOCKED, second-factor codes.
   */
  @CommandHandler(contract.unfreezeAccount)
  unfreezeAccount(command: CommandEnvelope<PayloadOf<typeof contract.unfreezeAccount>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.unfreezeAccount(command));
  }

  /** FORBIDDEN, USER_NOT_FOUND. */
  @CommandHandler(contract.raiseRiskAlert)
  raiseRiskAlert(command: CommandEnvelope<PayloadOf<typeof contract.raiseRiskAlert>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.raiseRiskAlert(command));
  }

  /** FORBIDDEN; INVALID_INPUT for a window that ends in the past. */
  @CommandHandler(contract.setMaintenanceMode)
  setMaintenanceMode(command: CommandEnvelope<PayloadOf<typeof contract.setMaintenanceMode>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.setMaintenanceMode(command));
  }

  /** USER_NOT_FOUND. */
  @CommandHandler(contract.findUserByPhone)
  findUserByPhone(command: CommandEnvelope<PayloadOf<typeof contract.findUserByPhone>>): Promise<CommandResult> {
    return this.identity.execute(command, () => this.identity.findUserByPhone(command));
  }
}

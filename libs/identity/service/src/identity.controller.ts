import { Controller } from '@nestjs/common';
import { identityContract as contract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { CommandHandler, type CommandEnvelope } from '@ledger/messaging';
import { IdentityCore } from './identity-core';
import { freezeAccount } from './use-cases/freeze/freeze-account';
import { raiseRiskAlert } from './use-cases/freeze/raise-risk-alert';
import { unfreezeAccount } from './use-cases/freeze/unfreeze-account';
import { login } from './use-cases/login/login';
import { verifyStepUpCode } from './use-cases/login/verify-step-up-code';
import { findUserByPhone } from './use-cases/lookup/find-user-by-phone';
import { setMaintenanceMode } from './use-cases/maintenance/set-maintenance-mode';
import { changeLoginPassword } from './use-cases/passwords/change-login-password';
import { changePaymentPassword } from './use-cases/passwords/change-payment-password';
import { resetPaymentPassword } from './use-cases/passwords/reset-payment-password';
import { setPaymentPassword } from './use-cases/passwords/set-payment-password';
import { verifyPaymentPassword } from './use-cases/passwords/verify-payment-password';
import { requestVerificationCode } from './use-cases/registration/request-verification-code';
import { registerUser } from './use-cases/registration/register-user';
import { verifyIdentity } from './use-cases/registration/verify-identity';
import { confirmSecondFactor } from './use-cases/second-factor/confirm-second-factor';
import { disableSecondFactor } from './use-cases/second-factor/disable-second-factor';
import { enableSecondFactor } from './use-cases/second-factor/enable-second-factor';
import { resetSecondFactor } from './use-cases/second-factor/reset-second-factor';
import { verifySecondFactor } from './use-cases/second-factor/verify-second-factor';
import { SessionService } from './use-cases/sessions/session-service';
import { StaffLogins } from './use-cases/staff/staff-login';

/**
 * The identity commands (on `identity.commands`, the staff login on `identity.commands.from.gateway`):
 * each handler hands its command to its use case under `use-cases/` and answers exactly one result.
 * Each use case lists the codes it can answer with, besides INVALID_INPUT (a field the service
 * cannot use: a malformed phone, an undecryptable secret) and the transport's own codes.
 */
@Controller()
export class IdentityController {
  constructor(
    private readonly core: IdentityCore,
    private readonly sessions: SessionService,
    private readonly staff: StaffLogins,
  ) {}

  @CommandHandler(contract.requestVerificationCode)
  requestVerificationCode(command: CommandEnvelope<PayloadOf<typeof contract.requestVerificationCode>>): Promise<CommandResult> {
    return this.core.execute(command, () => requestVerificationCode(this.core, command));
  }

  @CommandHandler(contract.registerUser)
  registerUser(command: CommandEnvelope<PayloadOf<typeof contract.registerUser>>): Promise<CommandResult> {
    return this.core.execute(command, () => registerUser(this.core, command));
  }

  @CommandHandler(contract.verifyIdentity)
  verifyIdentity(command: CommandEnvelope<PayloadOf<typeof contract.verifyIdentity>>): Promise<CommandResult> {
    return this.core.execute(command, () => verifyIdentity(this.core, command));
  }

  @CommandHandler(contract.login)
  login(command: CommandEnvelope<PayloadOf<typeof contract.login>>): Promise<CommandResult> {
    return this.core.execute(command, () => login(this.core, command));
  }

  @CommandHandler(contract.setPaymentPassword)
  setPaymentPassword(command: CommandEnvelope<PayloadOf<typeof contract.setPaymentPassword>>): Promise<CommandResult> {
    return this.core.execute(command, () => setPaymentPassword(this.core, command));
  }

  @CommandHandler(contract.changePaymentPassword)
  changePaymentPassword(command: CommandEnvelope<PayloadOf<typeof contract.changePaymentPassword>>): Promise<CommandResult> {
    return this.core.execute(command, () => changePaymentPassword(this.core, command));
  }

  @CommandHandler(contract.resetPaymentPassword)
  resetPaymentPassword(command: CommandEnvelope<PayloadOf<typeof contract.resetPaymentPassword>>): Promise<CommandResult> {
    return this.core.execute(command, () => resetPaymentPassword(this.core, command));
  }

  @CommandHandler(contract.changeLoginPassword)
  changeLoginPassword(command: CommandEnvelope<PayloadOf<typeof contract.changeLoginPassword>>): Promise<CommandResult> {
    return this.core.execute(command, () => changeLoginPassword(this.core, command));
  }

  @CommandHandler(contract.verifyPaymentPassword)
  verifyPaymentPassword(command: CommandEnvelope<PayloadOf<typeof contract.verifyPaymentPassword>>): Promise<CommandResult> {
    return this.core.execute(command, () => verifyPaymentPassword(this.core, command));
  }

  @CommandHandler(contract.verifySecondFactor)
  verifySecondFactor(command: CommandEnvelope<PayloadOf<typeof contract.verifySecondFactor>>): Promise<CommandResult> {
    return this.core.execute(command, () => verifySecondFactor(this.core, command));
  }

  @CommandHandler(contract.verifyStepUpCode)
  verifyStepUpCode(command: CommandEnvelope<PayloadOf<typeof contract.verifyStepUpCode>>): Promise<CommandResult> {
    return this.core.execute(command, () => verifyStepUpCode(this.core, command));
  }

  @CommandHandler(contract.enableSecondFactor)
  enableSecondFactor(command: CommandEnvelope<PayloadOf<typeof contract.enableSecondFactor>>): Promise<CommandResult> {
    return this.core.execute(command, () => enableSecondFactor(this.core, command));
  }

  @CommandHandler(contract.confirmSecondFactor)
  confirmSecondFactor(command: CommandEnvelope<PayloadOf<typeof contract.confirmSecondFactor>>): Promise<CommandResult> {
    return this.core.execute(command, () => confirmSecondFactor(this.core, command));
  }

  @CommandHandler(contract.disableSecondFactor)
  disableSecondFactor(command: CommandEnvelope<PayloadOf<typeof contract.disableSecondFactor>>): Promise<CommandResult> {
    return this.core.execute(command, () => disableSecondFactor(this.core, command));
  }

  @CommandHandler(contract.resetSecondFactor)
  resetSecondFactor(command: CommandEnvelope<PayloadOf<typeof contract.resetSecondFactor>>): Promise<CommandResult> {
    return this.core.execute(command, () => resetSecondFactor(this.core, command));
  }

  @CommandHandler(contract.freezeAccount)
  freezeAccount(command: CommandEnvelope<PayloadOf<typeof contract.freezeAccount>>): Promise<CommandResult> {
    return this.core.execute(command, () => freezeAccount(this.core, command));
  }

  @CommandHandler(contract.unfreezeAccount)
  unfreezeAccount(command: CommandEnvelope<PayloadOf<typeof contract.unfreezeAccount>>): Promise<CommandResult> {
    return this.core.execute(command, () => unfreezeAccount(this.core, command));
  }

  @CommandHandler(contract.raiseRiskAlert)
  raiseRiskAlert(command: CommandEnvelope<PayloadOf<typeof contract.raiseRiskAlert>>): Promise<CommandResult> {
    return this.core.execute(command, () => raiseRiskAlert(this.core, command));
  }

  @CommandHandler(contract.setMaintenanceMode)
  setMaintenanceMode(command: CommandEnvelope<PayloadOf<typeof contract.setMaintenanceMode>>): Promise<CommandResult> {
    return this.core.execute(command, () => setMaintenanceMode(this.core, command));
  }

  @CommandHandler(contract.findUserByPhone)
  findUserByPhone(command: CommandEnvelope<PayloadOf<typeof contract.findUserByPhone>>): Promise<CommandResult> {
    return this.core.execute(command, () => findUserByPhone(this.core, command));
  }

  /** INVALID_REFRESH_TOKEN, REFRESH_TOKEN_EXPIRED, REFRESH_TOKEN_REUSED, SESSION_REVOKED, ACCOUNT_FROZEN. */
  @CommandHandler(contract.refreshSession)
  refreshSession(command: CommandEnvelope<PayloadOf<typeof contract.refreshSession>>): Promise<CommandResult> {
    return this.core.execute(command, () => this.sessions.refresh(command));
  }

  /** INVALID_REFRESH_TOKEN, REFRESH_TOKEN_REUSED. */
  @CommandHandler(contract.endSession)
  endSession(command: CommandEnvelope<PayloadOf<typeof contract.endSession>>): Promise<CommandResult> {
    return this.core.execute(command, () => this.sessions.end(command));
  }

  /** INVALID_CREDENTIALS, LOGIN_LOCKED, RATE_LIMITED, INVALID_INPUT. On `identity.commands.from.gateway`. */
  @CommandHandler(contract.logInStaff)
  logInStaff(command: CommandEnvelope<PayloadOf<typeof contract.logInStaff>>): Promise<CommandResult> {
    return this.core.execute(command, () => this.staff.logIn(command));
  }
}

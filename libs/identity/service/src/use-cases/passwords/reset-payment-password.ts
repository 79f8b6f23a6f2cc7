import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { hashPaymentPassword } from '@ledger/crypto';
import { IDENTITY_ERROR, IDENTITY_EVENT, checkPaymentPassword, type CodeProof, type UserCommand } from '@ledger/identity-domain';
import { rejected, type CommandEnvelope } from '@ledger/messaging';
import { type IdentityCore } from '../../identity-core';

/**
 * "Forgot payment password": an SMS code to the bound phone proves the owner.
 *
 * Codes: `identityContract.resetPaymentPassword.rejects`.
 */
export async function resetPaymentPassword(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.resetPaymentPassword>>,
): Promise<CommandResult> {
  const phone = core.phone(envelope.payload.phone);
  const code = core.open(envelope.payload.code, 'code');
  const next = core.open(envelope.payload.newPaymentPassword, 'newPaymentPassword');
  const secondFactorCode = core.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
  const now = core.now();
  const user = await core.registeredUser(phone.candidates);
  if (user === undefined) return rejected(envelope, IDENTITY_ERROR.USER_NOT_FOUND, 'no wallet is registered with this phone number');
  const command = (verification: CodeProof | undefined): UserCommand => ({
    type: 'ResetPaymentPassword',
    userId: user.userId,
    now,
    verification,
    newPaymentPasswordHash: hashPaymentPassword(user.userId, next, core.config.pepperKeyring),
    passwordCheck: checkPaymentPassword(next),
    secondFactor: core.secondFactorCheck(user, secondFactorCode, now),
  });
  // Refusals that need no code (not set, weak password, second factor missing) and a wrong dynamic code leave the code unused.
  return core.withSmsCode(envelope, user, { purpose: 'payment_password_reset', code }, command, IDENTITY_EVENT.PaymentPasswordReset);
}

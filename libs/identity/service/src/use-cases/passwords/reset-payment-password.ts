import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { hashPaymentPassword } from '@ledger/crypto';
import { IDENTITY_ERROR, checkPaymentPassword, userStreamId, type CodeProof, type UserCommand } from '@ledger/identity-domain';
import { accepted, rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { DRY_RUN, type IdentityCore } from '../../identity-core';

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
  const meta = commandMetadata(envelope);
  const user = await core.registeredUser(phone.candidates);
  if (user === undefined) return rejected(envelope, IDENTITY_ERROR.USER_NOT_FOUND, 'no wallet is registered with this phone number');
  const command = (verification: CodeProof): UserCommand => ({
    type: 'ResetPaymentPassword',
    userId: user.userId,
    now,
    verification,
    newPaymentPasswordHash: hashPaymentPassword(user.userId, next, core.config.pepperKeyring),
    passwordCheck: checkPaymentPassword(next),
    secondFactorValid: core.secondFactorValid(user, secondFactorCode, now),
  });
  // Refusals that need no code (not set, weak password, second factor missing) come before the code is used up.
  const early = core.dryRun(command({ codeId: DRY_RUN, purpose: 'payment_password_reset', phoneHash: user.phoneHash }), user);
  if (early) return rejectedBy(envelope, early);
  const consumed = await core.consumeCode(user.phoneHash, 'payment_password_reset', code, meta);
  if (consumed.rejection) return rejectedBy(envelope, consumed.rejection);
  const step = await core.step(core.users, userStreamId(user.userId), command(consumed.proof), meta);
  return step.rejection ? rejectedBy(envelope, step.rejection) : accepted(envelope, { userId: user.userId });
}

import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { hashPaymentPassword } from '@ledger/crypto';
import { checkPaymentPassword } from '@ledger/identity-domain';
import type { CommandEnvelope } from '@ledger/messaging';
import type { IdentityCore } from '../../identity-core';

/** Codes: `identityContract.setPaymentPassword.rejects`. */
export async function setPaymentPassword(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.setPaymentPassword>>,
): Promise<CommandResult> {
  const { userId } = envelope.payload;
  core.requireSelf(envelope, userId);
  const password = core.open(envelope.payload.paymentPassword, 'paymentPassword');
  const secondFactorCode = core.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
  const now = core.now();
  const user = await core.userState(userId);
  return core.changeUser(envelope, userId, {
    type: 'SetPaymentPassword',
    userId,
    now,
    paymentPasswordHash: hashPaymentPassword(userId, password, core.config.pepperKeyring),
    passwordCheck: checkPaymentPassword(password),
    secondFactor: core.secondFactorCheck(user, secondFactorCode, now),
  });
}

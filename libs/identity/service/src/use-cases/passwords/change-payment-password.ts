import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { hashPaymentPassword } from '@ledger/crypto';
import { checkPaymentPassword } from '@ledger/identity-domain';
import type { CommandEnvelope } from '@ledger/messaging';
import type { IdentityCore } from '../../identity-core';

/** Codes: `identityContract.changePaymentPassword.rejects`. */
export async function changePaymentPassword(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.changePaymentPassword>>,
): Promise<CommandResult> {
  const { userId } = envelope.payload;
  core.requireSelf(envelope, userId);
  const current = core.open(envelope.payload.paymentPassword, 'paymentPassword');
  const next = core.open(envelope.payload.newPaymentPassword, 'newPaymentPassword');
  const secondFactorCode = core.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
  const now = core.now();
  const user = await core.userState(userId);
  const secondFactor = core.secondFactorCheck(user, secondFactorCode, now);
  const newPaymentPasswordHash = hashPaymentPassword(userId, next, core.config.pepperKeyring);
  const passwordCheck = checkPaymentPassword(next);
  return core.changeUser(envelope, userId, {
    type: 'Resolve',
    resolve: (state) => ({
      type: 'ChangePaymentPassword',
      userId,
      now,
      oldPasswordMatches: core.paymentPasswordMatches(state, current),
      newPaymentPasswordHash,
      passwordCheck,
      secondFactor,
    }),
  });
}

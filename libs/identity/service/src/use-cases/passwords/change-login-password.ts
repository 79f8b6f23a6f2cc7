import { isBefore } from '@ledger/util';
import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { hashLoginPassword, verifyLoginPassword } from '@ledger/crypto';
import { IDENTITY_ERROR, checkLoginPassword, type UserCommand } from '@ledger/identity-domain';
import { rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { DRY_RUN, type IdentityCore } from '../../identity-core';

/** Codes: `identityContract.changeLoginPassword.rejects`. */
export async function changeLoginPassword(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.changeLoginPassword>>,
): Promise<CommandResult> {
  const { userId } = envelope.payload;
  core.requireSelf(envelope, userId);
  const current = core.open(envelope.payload.loginPassword, 'loginPassword');
  const next = core.open(envelope.payload.newLoginPassword, 'newLoginPassword');
  const secondFactorCode = core.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
  const now = core.now();
  const user = await core.userState(userId);
  if (user === undefined) return rejected(envelope, IDENTITY_ERROR.USER_NOT_FOUND, 'no such user', { userId });
  const locked = isBefore(now, user.loginLockedUntil);
  const command = (newLoginPasswordHash: string, currentPasswordValid: boolean): UserCommand => ({
    type: 'ChangeLoginPassword',
    userId,
    now,
    currentPasswordValid,
    newLoginPasswordHash,
    passwordCheck: checkLoginPassword(next),
    secondFactor: core.secondFactorCheck(user, secondFactorCode, now),
  });
  const early = core.dryRun(command(DRY_RUN, true), user);
  if (early) return rejectedBy(envelope, early);
  const currentPasswordValid = locked ? false : await verifyLoginPassword(current, user.loginPasswordHash);
  return core.changeUser(envelope, userId, command(await hashLoginPassword(next, core.config.argon2), currentPasswordValid));
}

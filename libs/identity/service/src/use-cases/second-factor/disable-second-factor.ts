import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { userStreamId, type UserCommand } from '@ledger/identity-domain';
import { rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { type IdentityCore } from '../../identity-core';

/** Codes: `identityContract.disableSecondFactor.rejects`. */
export async function disableSecondFactor(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.disableSecondFactor>>,
): Promise<CommandResult> {
  const { userId } = envelope.payload;
  core.requireSelf(envelope, userId);
  const code = core.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
  const paymentPassword = core.openOptional(envelope.payload.paymentPassword, 'paymentPassword');
  const now = core.now();
  const meta = commandMetadata(envelope);
  const user = await core.userState(userId);
  const command: UserCommand = { type: 'DisableSecondFactor', userId, now, secondFactor: core.secondFactorCheck(user, code, now) };
  if (paymentPassword !== undefined && user !== undefined) {
    // Refusals that record nothing (not enabled, no code, locked) come before the password is tried.
    const early = core.dryRun(command, user);
    if (early) return rejectedBy(envelope, early);
    // Its own command id: on the same stream, the command's id would make the disable step look like a repeat of this one.
    const verified = await core.step(
      core.users,
      userStreamId(userId),
      {
        type: 'Resolve',
        resolve: (state) => ({
          type: 'VerifyPaymentPassword',
          userId,
          purpose: 'disable_second_factor',
          now,
          matches: core.paymentPasswordMatches(state, paymentPassword),
        }),
      },
      { ...meta, commandId: `${envelope.commandId}/payment-password` },
    );
    if (verified.rejection) return rejectedBy(envelope, verified.rejection);
  }
  return core.changeUser(envelope, userId, command, meta);
}

import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { userStreamId } from '@ledger/identity-domain';
import { accepted, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { type IdentityCore } from '../../identity-core';

/**
 * Cards ask before binding a card, which has no payment password to check: the same second-factor
 * gate as the other protected operations, so a wrong code counts toward its lock and a recovery
 * code is used up. The code is checked against the state being decided on.
 *
 * Codes: `identityContract.verifySecondFactor.rejects`.
 */
export async function verifySecondFactor(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.verifySecondFactor>>,
): Promise<CommandResult> {
  const { userId, purpose } = envelope.payload;
  core.requireSelfOrSystem(envelope, userId, 'this second factor');
  const code = core.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
  const now = core.now();
  const step = await core.step(
    core.users,
    userStreamId(userId),
    {
      type: 'Resolve',
      resolve: (state) => ({
        type: 'VerifySecondFactor',
        userId,
        purpose,
        now,
        ...(state.status === 'registered' && code !== undefined ? { secondFactor: core.secondFactorCheck(state, code, now) } : {}),
      }),
    },
    commandMetadata(envelope),
  );
  return step.rejection ? rejectedBy(envelope, step.rejection) : accepted(envelope, { verified: true, userId, purpose });
}

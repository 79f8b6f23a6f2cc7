import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { userStreamId } from '@ledger/identity-domain';
import { accepted, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { type IdentityCore } from '../../identity-core';

/**
 * Cards and payments ask before moving money or changing cards.
 *
 * Codes: `identityContract.verifyPaymentPassword.rejects`.
 */
export async function verifyPaymentPassword(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.verifyPaymentPassword>>,
): Promise<CommandResult> {
  const { userId, purpose } = envelope.payload;
  core.requireSelfOrSystem(envelope, userId, 'this payment password');
  const password = core.open(envelope.payload.paymentPassword, 'paymentPassword');
  const now = core.now();
  const step = await core.step(
    core.users,
    userStreamId(userId),
    {
      type: 'Resolve',
      resolve: (state) => ({ type: 'VerifyPaymentPassword', userId, purpose, now, matches: core.paymentPasswordMatches(state, password) }),
    },
    commandMetadata(envelope),
  );
  return step.rejection ? rejectedBy(envelope, step.rejection) : accepted(envelope, { verified: true, userId, purpose });
}

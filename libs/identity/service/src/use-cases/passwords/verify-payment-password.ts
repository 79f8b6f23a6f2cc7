import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { userStreamId } from '@ledger/identity-domain';
import { accepted, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { parseMinor } from '@ledger/util';
import { type IdentityCore } from '../../identity-core';

/**
 * Cards and payments ask before moving money or changing cards. With the second factor on, the
 * decider also asks for the dynamic code the command may carry (a large amount, a card, a new
 * device); it is checked against the state being decided on, like the password.
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
  const code = core.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
  const amountMinor = envelope.payload.amountMinor === undefined ? undefined : parseMinor(envelope.payload.amountMinor);
  const newDevice = envelope.payload.newDevice;
  const now = core.now();
  const step = await core.step(
    core.users,
    userStreamId(userId),
    {
      type: 'Resolve',
      resolve: (state) => ({
        type: 'VerifyPaymentPassword',
        userId,
        purpose,
        now,
        matches: core.paymentPasswordMatches(state, password),
        ...(amountMinor === undefined ? {} : { amountMinor }),
        ...(newDevice === undefined ? {} : { newDevice }),
        ...(state.status === 'registered' && code !== undefined ? { secondFactor: core.secondFactorCheck(state, code, now) } : {}),
      }),
    },
    commandMetadata(envelope),
  );
  return step.rejection ? rejectedBy(envelope, step.rejection) : accepted(envelope, { verified: true, userId, purpose });
}

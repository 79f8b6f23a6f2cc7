import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { IDENTITY_ERROR, userStreamId } from '@ledger/identity-domain';
import { accepted, rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { type IdentityCore } from '../../identity-core';

/**
 * A payment's SMS step-up from a new device: consumes the user's `login_step_up` code (the code
 * aggregate limits attempts and makes it one use) and records the device as known
 * (`identity.DeviceVerified.v1` on the user's stream). A re-delivered command (same command id)
 * gets the same answer without using a second code.
 *
 * Codes: `identityContract.verifyStepUpCode.rejects`.
 */
export async function verifyStepUpCode(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.verifyStepUpCode>>,
): Promise<CommandResult> {
  const { userId, deviceId } = envelope.payload;
  core.requireSelfOrSystem(envelope, userId, 'a step-up code');
  const code = core.open(envelope.payload.stepUpCode, 'stepUpCode');
  const meta = commandMetadata(envelope);
  const user = await core.userState(userId);
  if (user === undefined) return rejected(envelope, IDENTITY_ERROR.USER_NOT_FOUND, 'no such user', { userId });
  const consumed = await core.consumeCode(user.phoneHash, 'login_step_up', code, meta);
  if (consumed.rejection) return rejectedBy(envelope, consumed.rejection);
  const step = await core.step(
    core.users,
    userStreamId(userId),
    { type: 'VerifyDevice', userId, deviceId, verification: consumed.proof, now: core.now() },
    meta,
  );
  return step.rejection ? rejectedBy(envelope, step.rejection) : accepted(envelope, { verified: true, userId, deviceId });
}

import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { encryptField } from '@ledger/crypto';
import { userStreamId } from '@ledger/identity-domain';
import { commandMetadata } from '@ledger/event-store';
import { InvalidInput, accepted, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { isValidIdNumber } from '../../infra/id-number';
import { idNumberAad, type IdentityCore } from '../../identity-core';

/**
 * 实名认证 after registration: a user who registered without an ID number gives one. It is checked
 * in memory (the check character) and kept only encrypted under an AAD bound to the user, as at
 * registration; the account becomes `verified`, which the wallet learns from the published
 * `identity.IdentityVerified.v1` (and raises its tier).
 *
 * Codes: `identityContract.verifyIdentity.rejects`.
 */
export async function verifyIdentity(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.verifyIdentity>>,
): Promise<CommandResult> {
  const { userId } = envelope.payload;
  core.requireSelf(envelope, userId);
  const idNumber = core.open(envelope.payload.idNumber, 'idNumber').toUpperCase();
  if (!isValidIdNumber(idNumber)) throw new InvalidInput('idNumber', 'not a valid resident identity card number');
  const idNumberCiphertext = encryptField(idNumber, core.config.fieldKeyring, idNumberAad(userId));
  const step = await core.step(
    core.users,
    userStreamId(userId),
    { type: 'VerifyIdentity', userId, now: core.now(), idNumberCiphertext },
    commandMetadata(envelope),
  );
  return step.rejection ? rejectedBy(envelope, step.rejection) : accepted(envelope, { userId, identityLevel: 'verified' });
}

import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { encryptField, decryptField, sealField, generateTotpSecret, totpProvisioningUri } from '@ledger/crypto';
import { IDENTITY_EVENT, userStreamId } from '@ledger/identity-domain';
import { accepted, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { totpAad, type IdentityCore } from '../../identity-core';

const TOTP_ISSUER = 'ICBC e-Wallet';

/**
 * Starts a TOTP enrollment: a fresh secret, stored field-encrypted as pending, and its provisioning
 * URI for the authenticator app. The factor protects nothing until `confirmSecondFactor` proves the
 * app holds the secret; enabling again before that starts over with a new secret.
 *
 * Codes: `identityContract.enableSecondFactor.rejects`.
 */
export async function enableSecondFactor(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.enableSecondFactor>>,
): Promise<CommandResult> {
  const { userId } = envelope.payload;
  core.requireSelf(envelope, userId);
  const { base32 } = generateTotpSecret();
  const secretCiphertext = encryptField(base32, core.config.fieldKeyring, totpAad(userId));
  const step = await core.step(
    core.users,
    userStreamId(userId),
    { type: 'EnableSecondFactor', userId, now: core.now(), secretCiphertext },
    commandMetadata(envelope),
  );
  if (step.rejection) return rejectedBy(envelope, step.rejection);
  const started = step.events.find((event) => event.type === IDENTITY_EVENT.SecondFactorEnrollmentStarted);
  const user = await core.userState(userId);
  if (started?.type !== IDENTITY_EVENT.SecondFactorEnrollmentStarted || user === undefined)
    throw new Error('second factor accepted without SecondFactorEnrollmentStarted');
  // From the event, not the fresh secret: a re-delivered command gets the URI of the secret that was stored.
  const secret = decryptField(started.data.secretCiphertext, core.config.fieldKeyring, totpAad(userId));
  const uri = totpProvisioningUri({ issuer: TOTP_ISSUER, accountName: user.maskedPhone, secretBase32: secret });
  return accepted(envelope, {
    userId,
    provisioningUri: sealField(uri, core.config.gatewaySealingKey, identityContract.secretAad('provisioningUri')),
  });
}

import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { sealField } from '@ledger/crypto';
import { IDENTITY_EVENT, userStreamId } from '@ledger/identity-domain';
import { accepted, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { type IdentityCore } from '../../identity-core';
import { hashRecoveryCode, recoveryCodesFor } from './recovery-codes';

/**
 * Turns a pending TOTP enrollment on once a current code proves the authenticator holds its
 * secret, and issues the recovery codes: the user sees them in clear only in this answer (sealed for
 * the gateway like the provisioning URI); the user's stream keeps only their keyed hashes.
 *
 * A wrong code records nothing and leaves the enrollment pending (see the domain's
 * `ConfirmSecondFactor` for why no failure is counted).
 *
 * Codes: `identityContract.confirmSecondFactor.rejects`.
 */
export async function confirmSecondFactor(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.confirmSecondFactor>>,
): Promise<CommandResult> {
  const { userId } = envelope.payload;
  core.requireSelf(envelope, userId);
  const code = core.open(envelope.payload.secondFactorCode, 'secondFactorCode');
  const now = core.now();
  const pepper = core.config.pepperKeyring;
  // Derived from the command id: a re-delivered confirmation answers the codes its first delivery stored.
  const recoveryCodes = recoveryCodesFor(userId, envelope.commandId, pepper);
  const recoveryCodeHashes = recoveryCodes.map((recoveryCode) => hashRecoveryCode(userId, recoveryCode, pepper));
  const step = await core.step(
    core.users,
    userStreamId(userId),
    {
      type: 'Resolve',
      // Checked against the pending secret of the state decided on, so a code for an enrollment that
      // a newer one replaced meanwhile can never turn the newer secret on.
      resolve: (state) => ({
        type: 'ConfirmSecondFactor',
        userId,
        now,
        codeValid:
          state.status === 'registered' &&
          state.secondFactor.kind === 'pending' &&
          core.totpMatches(userId, state.secondFactor.secretCiphertext, code, now),
        recoveryCodeHashes,
      }),
    },
    commandMetadata(envelope),
  );
  if (step.rejection) return rejectedBy(envelope, step.rejection);
  const enabled = step.events.find((event) => event.type === IDENTITY_EVENT.SecondFactorEnabled);
  if (enabled?.type !== IDENTITY_EVENT.SecondFactorEnabled) throw new Error('second factor confirmed without SecondFactorEnabled');
  return accepted(envelope, {
    userId,
    enabledAt: enabled.data.at,
    recoveryCodes: sealField(JSON.stringify(recoveryCodes), core.config.gatewaySealingKey, identityContract.secretAad('recoveryCodes')),
    recoveryCodesLeft: enabled.data.recoveryCodeHashes?.length ?? 0,
  });
}

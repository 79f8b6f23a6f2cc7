import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { IDENTITY_ERROR } from '@ledger/identity-domain';
import { accepted, rejected, type CommandEnvelope } from '@ledger/messaging';
import type { IdentityCore } from '../../identity-core';

/**
 * From the read model (eventually consistent): a just-registered phone may take a moment to appear.
 *
 * Codes: `identityContract.findUserByPhone.rejects`.
 */
export async function findUserByPhone(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.findUserByPhone>>,
): Promise<CommandResult> {
  const phone = core.phone(envelope.payload.phone);
  const view = await core.readModel.findByPhoneHash(phone.candidates);
  if (view === undefined) return rejected(envelope, IDENTITY_ERROR.USER_NOT_FOUND, 'no wallet is registered with this phone number');
  return accepted(envelope, { ...view });
}

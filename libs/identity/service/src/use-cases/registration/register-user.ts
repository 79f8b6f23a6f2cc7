import { createHash } from 'node:crypto';
import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { encryptField, hashLoginPassword } from '@ledger/crypto';
import {
  IDENTITY_ERROR,
  MAINTENANCE_STREAM_ID,
  checkLoginPassword,
  maintenanceStatusAt,
  phoneReservationStreamId,
  userStreamId,
  type CodeProof,
  type UserCommand,
} from '@ledger/identity-domain';
import { InvalidInput, rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { isValidIdNumber } from '../../infra/id-number';
import { DRY_RUN, idNumberAad, type IdentityCore } from '../../identity-core';

/** The user id of a registration: derived from the command id, so a re-delivered command registers the same user. */
export function userIdFor(commandId: string): string {
  const hex = createHash('sha256').update(`identity-user\u0000${commandId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Registration touches three streams without a transaction (see phone-reservation.ts):
 * 1. cheap pure checks first (maintenance, password strength), by a dry run of the user decider;
 * 2. the phone's reservation stream: already held by someone else → PHONE_ALREADY_REGISTERED;
 * 3. the code is checked without being used; a wrong, expired or used code is consumed so the
 *    failure counts (brute force stops after the limit);
 * 4. the reservation is appended with "stream must not exist": of concurrent registrations of
 *    one phone exactly one wins, the others get PHONE_ALREADY_REGISTERED;
 * 5. the winner consumes the code (releasing the reservation if that fails), hashes the
 *    password with argon2id (only now, so losers cost no CPU) and appends UserRegistered.
 * The user id derives from the command id, so a re-delivered command redoes each step as a no-op.
 *
 * Codes: `identityContract.registerUser.rejects`.
 */
export async function registerUser(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.registerUser>>,
): Promise<CommandResult> {
  const payload = envelope.payload;
  const phone = core.phone(payload.phone);
  const code = core.open(payload.code, 'code');
  const password = core.open(payload.loginPassword, 'loginPassword');
  const name = core.open(payload.name, 'name').trim();
  if (name === '' || name.length > 100) throw new InvalidInput('name', 'a name of 1 to 100 characters is required');
  const userId = userIdFor(envelope.commandId);
  let idNumberCiphertext: string | undefined;
  if (payload.idNumber !== undefined) {
    const idNumber = core.open(payload.idNumber, 'idNumber').toUpperCase();
    if (!isValidIdNumber(idNumber)) throw new InvalidInput('idNumber', 'not a valid resident identity card number');
    // Re-encrypted at rest under an AAD bound to this user, so the ciphertext cannot be moved to another user's record.
    idNumberCiphertext = encryptField(idNumber, core.config.fieldKeyring, idNumberAad(userId));
  }
  const userStream = userStreamId(userId);
  const meta = commandMetadata(envelope);
  const now = core.now();

  const current = await core.users.load(userStream);
  if (current.state.status === 'registered') return core.registered(envelope, current.state);

  const maintenance = maintenanceStatusAt((await core.maintenance.load(MAINTENANCE_STREAM_ID)).state, now);
  const passwordCheck = checkLoginPassword(password, { phone: phone.phone });
  const command = (loginPasswordHash: string, verification: CodeProof): UserCommand => ({
    type: 'RegisterUser',
    userId,
    now,
    phoneHash: phone.phoneHash,
    maskedPhone: phone.masked,
    name,
    idNumberCiphertext,
    loginPasswordHash,
    passwordCheck,
    verification,
    maintenance,
    deviceId: payload.deviceId,
  });
  const early = core.dryRun(command(DRY_RUN, { codeId: DRY_RUN, purpose: 'registration', phoneHash: phone.phoneHash }), current.state);
  if (early) return rejectedBy(envelope, early);

  if (await core.reservedByOther(phone.candidates, userId))
    return rejected(envelope, IDENTITY_ERROR.PHONE_ALREADY_REGISTERED, 'this phone number is already registered');

  let proof: CodeProof | undefined;
  if (!(await core.codeWouldPass(phone.phoneHash, 'registration', code, now))) {
    // Wrong, expired, used… : consuming records the failure (or, for a re-delivered command,
    // returns the consumption it already made).
    const consumed = await core.consumeCode(phone.phoneHash, 'registration', code, meta);
    if (consumed.rejection) {
      // A concurrent registration may have reserved the phone and used the code since the check
      // above; it reserves before it consumes, so the reservation is visible now.
      if (await core.reservedByOther(phone.candidates, userId))
        return rejected(envelope, IDENTITY_ERROR.PHONE_ALREADY_REGISTERED, 'this phone number is already registered');
      return rejectedBy(envelope, consumed.rejection);
    }
    proof = consumed.proof;
  }

  const reservationStream = phoneReservationStreamId(phone.phoneHash);
  const reserved = await core.step(core.phones, reservationStream, { type: 'ReservePhone', phoneHash: phone.phoneHash, userId, now }, meta);
  if (reserved.rejection) return rejectedBy(envelope, reserved.rejection);
  const release = () =>
    core.step(
      core.phones,
      reservationStream,
      { type: 'ReleasePhoneReservation', phoneHash: phone.phoneHash, userId, reason: 'registration_not_completed', now },
      // Its own command id: the handler would otherwise take it for a repeat of the reservation.
      { ...meta, commandId: `${meta.commandId}:release` },
    );

  if (proof === undefined) {
    const consumed = await core.consumeCode(phone.phoneHash, 'registration', code, meta);
    if (consumed.rejection) {
      await release();
      return rejectedBy(envelope, consumed.rejection);
    }
    proof = consumed.proof;
  }
  const loginPasswordHash = await hashLoginPassword(password, core.config.argon2);
  const step = await core.step(core.users, userStream, command(loginPasswordHash, proof), meta);
  if (step.rejection) {
    await release();
    return rejectedBy(envelope, step.rejection);
  }
  const state = (await core.users.load(userStream)).state;
  if (state.status !== 'registered') throw new Error('registration accepted but the user stream is empty');
  return core.registered(envelope, state);
}

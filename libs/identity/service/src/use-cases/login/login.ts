import { isBefore } from '@ledger/util';
import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { verifyLoginPassword, signAccessToken, sealField } from '@ledger/crypto';
import { IDENTITY_ERROR, IDENTITY_EVENT, outcomeOf, userStreamId, type UserCommand } from '@ledger/identity-domain';
import { accepted, rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { type IdentityCore } from '../../identity-core';

/** Codes: `identityContract.login.rejects`. */
export async function login(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.login>>,
): Promise<CommandResult> {
  const payload = envelope.payload;
  const phone = core.phone(payload.phone);
  const password = core.open(payload.loginPassword, 'loginPassword');
  const stepUpCode = core.openOptional(payload.stepUpCode, 'stepUpCode');
  const secondFactorCode = core.openOptional(payload.secondFactorCode, 'secondFactorCode');
  const now = core.now();
  const meta = commandMetadata(envelope);

  const user = await core.registeredUser(phone.candidates);
  if (user === undefined) {
    // Same answer and about the same time as a wrong password, so login does not tell which numbers are registered.
    await verifyLoginPassword(password, await core.dummyHash());
    return rejected(envelope, IDENTITY_ERROR.INVALID_CREDENTIALS, 'wrong phone number or password');
  }
  const stream = userStreamId(user.userId);
  // While login is locked the decider answers LOGIN_LOCKED before looking at the password, so
  // the argon2 work is skipped: a locked account must not become a CPU sink.
  const locked = isBefore(now, user.loginLockedUntil);
  const passwordValid = locked ? false : await verifyLoginPassword(password, user.loginPasswordHash);
  const secondFactor = core.secondFactorCheck(user, secondFactorCode, now);
  const command = (stepUpCodeValid: boolean | undefined): UserCommand => ({
    type: 'Login',
    userId: user.userId,
    deviceId: payload.deviceId,
    passwordValid,
    stepUpCodeValid,
    secondFactor,
    now,
  });

  let stepUpCodeValid: boolean | undefined;
  if (stepUpCode !== undefined && !user.knownDevices.includes(payload.deviceId)) {
    // Use the step-up code only when it is the last thing missing; a wrong password or dynamic
    // code must not burn the SMS code.
    const wouldLogIn = outcomeOf(core.userDecider.decide(command(true), user)).events.some(
      (event) => event.type === IDENTITY_EVENT.LoggedIn,
    );
    if (wouldLogIn) {
      const consumed = await core.consumeCode(user.phoneHash, 'login_step_up', stepUpCode, meta);
      if (consumed.rejection) return rejectedBy(envelope, consumed.rejection);
      stepUpCodeValid = true;
    }
  }
  const step = await core.step(core.users, stream, command(stepUpCodeValid), meta);
  if (step.rejection) return rejectedBy(envelope, step.rejection);
  const loggedIn = step.events.find((event) => event.type === IDENTITY_EVENT.LoggedIn);
  if (loggedIn?.type !== IDENTITY_EVENT.LoggedIn) throw new Error('login accepted without a LoggedIn event');

  const access = await signAccessToken(
    { userId: user.userId, deviceId: payload.deviceId, now: new Date(now), ttlMs: core.config.accessTokenTtlMs },
    'user',
    core.config.accessTokenSigningKey,
  );
  const refresh = await core.sessions.start(envelope, user.userId, payload.deviceId, now);
  const after = (await core.users.load(stream)).state;
  return accepted(envelope, {
    userId: user.userId,
    // Bearer credentials: encrypted like every other secret on Kafka; the gateway decrypts them for the app.
    accessToken: sealField(access.token, core.config.gatewaySealingKey, identityContract.secretAad('accessToken')),
    accessTokenExpiresAt: access.expiresAt.toISOString(),
    ...refresh,
    newDevice: loggedIn.data.newDevice,
    frozen: after.status === 'registered' && after.freeze.kind === 'frozen',
  });
}

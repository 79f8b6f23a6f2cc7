import { identityContract } from '@ledger/contracts';
import { isUnanswered } from '@ledger/messaging';
import { PAYMENT_ERROR, type StepResult } from '@ledger/payments-domain';
import { failureOf, wrongKind, type StepExecutor } from './step-context';

/**
 * verifying_password: identity checks the payment password. Settling in the wallet waits for the
 * password's recorded success; every other payment sends the check and the reservation together.
 * After a restart the password is gone from memory: the payment waits for the client to resend it
 * for `passwordGraceMs`, then fails PAYMENT_INTERRUPTED.
 *
 * The same check carries what identity needs to ask a user with the second factor on for a dynamic
 * code: the amount, the code the client sent (encrypted for identity, never stored) and whether the
 * device is new. Identity's refusal (SECOND_FACTOR_REQUIRED, INVALID_SECOND_FACTOR,
 * SECOND_FACTOR_LOCKED) fails the payment like a wrong password, with its code; for a user without
 * the factor the check costs what it always did.
 */
export const verifyPassword: StepExecutor = async (context, { state, secrets, now }) => {
  const request = state.request;
  if (request.kind === 'refund' || request.kind === 'topup' || request.kind === 'provider_topup' || request.kind === 'counter')
    throw wrongKind(state, 'verifying_password');
  const id = request.paymentId;
  const { paymentPassword, secondFactorCode } = secrets;
  if (paymentPassword === undefined) {
    const ageMs = Date.parse(now) - Date.parse(state.initiatedAt);
    if (ageMs < context.options.passwordGraceMs) return { later: 'waiting for the client to resend the password' };
    // The reservation may have been asked for before the restart: whatever hold it made is released.
    const failure = { code: PAYMENT_ERROR.PAYMENT_INTERRUPTED, message: 'the service restarted before the payment password was checked' };
    // A payment settled in the wallet asks the wallet for nothing before its password is recorded.
    if (state.settlement === 'wallet') return { record: { type: 'RecordPasswordCheck', result: { ok: false, failure }, now } };
    return {
      record: { type: 'RecordAuthorization', password: { ok: false, failure }, reservation: { ok: false, uncertain: true, failure }, now },
    };
  }
  const purpose = request.kind === 'transfer' ? 'transfer' : 'payment';
  // Not assessed in this request (a resend after a restart): the device cannot be shown to be known,
  // so identity is told it is new rather than let the dynamic code be skipped.
  const newDevice = secrets.newDevice ?? true;
  const checkPassword = async (): Promise<StepResult<object>> => {
    const password = await context.call(
      identityContract.verifyPaymentPassword,
      {
        userId: request.userId,
        paymentPassword,
        purpose,
        amountMinor: request.amountMinor.toString(),
        ...(secondFactorCode === undefined ? {} : { secondFactorCode }),
        ...(newDevice ? { newDevice } : {}),
      },
      request.userId,
      `${id}:password`,
    );
    if (password.status === 'accepted') return { ok: true };
    return {
      ok: false,
      failure: isUnanswered(password)
        ? { code: PAYMENT_ERROR.IDENTITY_UNAVAILABLE, message: `identity did not answer: ${password.message}` }
        : failureOf(password),
    };
  };
  // Settling in the wallet moves the money at once, so it waits for the password's recorded success.
  if (state.settlement === 'wallet') return { record: { type: 'RecordPasswordCheck', result: await checkPassword(), now } };
  // The password check and the reservation go out together (one round trip instead of two); the
  // decider releases the hold if the password fails.
  const [password, reservation] = await Promise.all([checkPassword(), context.reserve(state)]);
  return { record: { type: 'RecordAuthorization', password, reservation, now } };
};

/** reserving: a payment whose password was recorded before the reservation was asked for in the same round trip. */
export const reserve: StepExecutor = async (context, { state, now }) => ({
  record: { type: 'RecordReservation', result: await context.reserve(state), now },
});

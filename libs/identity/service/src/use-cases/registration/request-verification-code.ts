import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { generateId, generateSmsCode, hashVerificationCode } from '@ledger/crypto';
import { IDENTITY_ERROR, IDENTITY_EVENT, verificationCodeStreamId, type VerificationPurpose } from '@ledger/identity-domain';
import { accepted, rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { IDENTITY_SERVICE_ERROR, type IdentityCore } from '../../identity-core';

/**
 * Sends an SMS code for one purpose; a new code replaces the old one.
 *
 * Codes: `identityContract.requestVerificationCode.rejects`.
 */
export async function requestVerificationCode(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.requestVerificationCode>>,
): Promise<CommandResult> {
  const { purpose } = envelope.payload;
  const phone = core.phone(envelope.payload.phone);
  const registered = await core.registeredUser(phone.candidates);
  if (purpose === 'registration' && registered !== undefined) {
    return rejected(envelope, IDENTITY_ERROR.PHONE_ALREADY_REGISTERED, 'this phone number is already registered');
  }
  if (purpose !== 'registration' && registered === undefined)
    return rejected(envelope, IDENTITY_ERROR.USER_NOT_FOUND, 'no wallet is registered with this phone number');
  // A registered user's codes live under the fingerprint stored at registration, which is what
  // the user decider checks proofs against (it may predate a pepper-key rotation).
  const phoneHash = registered?.phoneHash ?? phone.phoneHash;
  const code = generateSmsCode();
  const codeId = generateId();
  const codeHash = hashVerificationCode(phoneHash, purpose, codeId, code, core.config.pepperKeyring);
  const step = await core.step(
    core.codes,
    verificationCodeStreamId(phoneHash),
    { type: 'RequestVerificationCode', phoneHash, purpose, codeId, codeHash, now: core.now() },
    commandMetadata(envelope),
  );
  if (step.rejection) return rejectedBy(envelope, step.rejection);
  const issued = step.events.find((event) => event.type === IDENTITY_EVENT.VerificationCodeIssued);
  if (issued?.type !== IDENTITY_EVENT.VerificationCodeIssued) throw new Error('a code request was accepted without issuing a code');
  // A re-delivered command finds its code already issued: the code itself is gone (only its hash
  // was kept), so nothing is re-sent; the user asks again after the cooldown.
  if (!step.duplicate) {
    try {
      await core.sms.send({ to: phone.phone, text: smsText(purpose, code, core.config.policy.codeTtlMs) });
    } catch {
      // The code is recorded but never reached the phone: the user asks again once the cooldown allows.
      return rejected(envelope, IDENTITY_SERVICE_ERROR.SMS_UNAVAILABLE, 'the SMS could not be sent; ask for a code again later', {
        retryAt: issued.data.resendAllowedAt,
      });
    }
  }
  return accepted(envelope, {
    codeId: issued.data.codeId,
    expiresAt: issued.data.expiresAt,
    resendAllowedAt: issued.data.resendAllowedAt,
    maskedPhone: phone.masked,
  });
}

const PURPOSE_TEXT: Readonly<Record<VerificationPurpose, string>> = {
  registration: '注册验证码 (registration code)',
  payment_password_reset: '重置支付密码验证码 (payment password reset code)',
  login_step_up: '新设备登录验证码 (new device login code)',
  unfreeze: '解冻验证码 (unfreeze code)',
};

function smsText(purpose: VerificationPurpose, code: string, ttlMs: number): string {
  return `【工银e钱包】您的${PURPOSE_TEXT[purpose]}: ${code}, ${Math.round(ttlMs / 60_000)} 分钟内有效, 请勿告诉他人。`;
}

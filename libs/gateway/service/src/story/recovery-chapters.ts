/** The story's recovery chapters: 张三 forgets his payment password, then loses his phone (freeze, new phone, unfreeze). */
import { LOGIN_PASSWORD, yuan, type StoryCast, type StoryKit } from './story-kit';

export async function forgottenPaymentPassword({ code, ok, pay, post, refused, section }: StoryKit, { alice }: StoryCast): Promise<void> {
  // ── Forgotten payment password
  section('Forgotten payment password');
  const resetCode = await code(alice.phone, 'payment_password_reset', '张三 forgot his payment password and asks for a reset code');
  const newPassword = '570392';
  ok(
    '张三 sets a new payment password with the code',
    await post('/payment-password/reset', { phone: alice.phone, code: resetCode, newPaymentPassword: newPassword }),
    200,
  );
  refused(
    'The old payment password no longer works',
    await pay(alice, 'old-password', 'm-canteen', 'pos', '1000'),
    'WRONG_PAYMENT_PASSWORD',
  );
  alice.paymentPassword = newPassword;
}

export async function lostPhone(
  { code, get, ok, paid, pay, post, refused, section, until }: StoryKit,
  { alice, support }: StoryCast,
): Promise<void> {
  // ── Lost phone
  section('Lost phone: freeze, new phone, unfreeze');
  ok(
    '张三 calls the hotline; support freezes his account',
    await post(`/support/users/${alice.userId}/freeze`, { reason: 'hotline 95588: phone lost' }, support),
    200,
    (b) => `frozen at ${String(b['frozenAt'])}`,
  );
  refused(
    'Whoever has the phone tries to pay ¥20.00',
    await pay(alice, 'thief', 'm-canteen', 'pos', '2000'),
    'ACCOUNT_FROZEN',
    'WALLET_FROZEN',
  );
  refused(
    '张三 logs in on his new phone',
    await post('/sessions', { phone: alice.phone, loginPassword: LOGIN_PASSWORD, deviceId: 'zhangsan-phone-2' }),
    'STEP_UP_REQUIRED',
  );
  const stepUp = await code(alice.phone, 'login_step_up', '张三 asks for a step-up code on the new phone');
  alice.token = String(
    ok(
      '张三 logs in on the new phone with the step-up code',
      await post('/sessions', { phone: alice.phone, loginPassword: LOGIN_PASSWORD, deviceId: 'zhangsan-phone-2', stepUpCode: stepUp }),
      200,
      (b) => `newDevice=${String(b['newDevice'])}, frozen=${String(b['frozen'])}`,
    )['accessToken'],
  );
  const unfreezeCode = await code(alice.phone, 'unfreeze', '张三 asks for an unfreeze code');
  ok(
    '张三 unfreezes with the code and his (new) payment password',
    await post(`/users/${alice.userId}/unfreeze`, { code: unfreezeCode, paymentPassword: alice.paymentPassword }, alice.token),
    200,
  );
  const active = await until(
    () => get(`/users/${alice.userId}/wallet`, alice.token),
    (r) => r.status === 200 && r.body['status'] !== 'frozen',
  );
  ok(
    "张三's balance is intact",
    active,
    200,
    (b) => `${String(b['status'])}, total ${yuan(b['totalMinor'])}, available ${yuan(b['availableMinor'])}`,
  );
  ok('张三 pays ¥15.00 at the canteen from the new phone', await pay(alice, 'canteen', 'm-canteen', 'pos', '1500'), 200, paid);
}

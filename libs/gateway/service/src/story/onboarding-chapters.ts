/** The story's first chapters: the two users register (through a maintenance window), log in, set payment passwords, bind cards and open wallets. */
import { LOGIN_PASSWORD, type StoryCast, type StoryKit } from './story-kit';

export async function registration({ code, ok, post, refused, section }: StoryKit, { alice, bob, supervisor }: StoryCast): Promise<void> {
  // ── Registration
  section('Registration with an SMS code');
  const aliceCode = await code(alice.phone, 'registration', `张三 asks for a registration code for ${alice.phone}`);
  alice.userId = String(
    ok(
      '张三 registers with the code and a login password',
      await post('/users', {
        phone: alice.phone,
        code: aliceCode,
        loginPassword: LOGIN_PASSWORD,
        name: alice.name,
        deviceId: 'zhangsan-phone-1',
      }),
      201,
      (b) => `userId ${String(b['userId'])}, ${String(b['identityLevel'])}`,
    )['userId'],
  );
  const bobCode = await code(bob.phone, 'registration', `李四 asks for a registration code for ${bob.phone}`);
  ok(
    'A supervisor opens a maintenance window (POST /support/maintenance)',
    await post(
      '/support/maintenance',
      { on: true, until: new Date(Date.now() + 10 * 60_000).toISOString(), message: 'upgrade until 02:00' },
      supervisor,
    ),
    200,
    (b) => `on=${String(b['on'])}`,
  );
  refused(
    '李四 tries to register during maintenance',
    await post('/users', { phone: bob.phone, code: bobCode, loginPassword: LOGIN_PASSWORD, name: bob.name, deviceId: 'lisi-phone-1' }),
    'SYSTEM_MAINTENANCE',
  );
  ok(
    'The supervisor closes the maintenance window',
    await post('/support/maintenance', { on: false }, supervisor),
    200,
    (b) => `on=${String(b['on'])}`,
  );
  bob.userId = String(
    ok(
      '李四 registers again with the same code',
      await post('/users', { phone: bob.phone, code: bobCode, loginPassword: LOGIN_PASSWORD, name: bob.name, deviceId: 'lisi-phone-1' }),
      201,
      (b) => `userId ${String(b['userId'])}`,
    )['userId'],
  );
  refused(
    "Someone asks for a registration code for 张三's number (already registered)",
    await post('/verification-codes', { phone: alice.phone, purpose: 'registration' }),
    'PHONE_ALREADY_REGISTERED',
  );
}

export async function passwordsCardsWallets(
  { deps, ok, post, refused, section, until }: StoryKit,
  { alice, bob }: StoryCast,
): Promise<void> {
  // ── Passwords, cards, wallet
  section('Log in, set payment passwords, bind cards, open wallets');
  for (const [user, device] of [
    [alice, 'zhangsan-phone-1'],
    [bob, 'lisi-phone-1'],
  ] as const) {
    user.token = String(
      ok(
        `${user.name} logs in`,
        await post('/sessions', { phone: user.phone, loginPassword: LOGIN_PASSWORD, deviceId: device }),
        200,
        (b) => `access token until ${String(b['accessTokenExpiresAt'])}`,
      )['accessToken'],
    );
    ok(
      `${user.name} sets a payment password`,
      await post(`/users/${user.userId}/payment-password`, { paymentPassword: user.paymentPassword }, user.token),
      200,
    );
  }
  const debit = deps.cards.zhangSanDebit;
  const bound = await post(
    `/users/${alice.userId}/cards`,
    { cardNumber: debit.number, holderName: debit.holderName, reservedPhone: debit.reservedPhone },
    alice.token,
  );
  if (bound.status === 409 && bound.body['code'] === 'CARD_BOUND_TO_ANOTHER_USER') {
    deps.out('    (the simulator card is still bound to a user of an interrupted earlier run: `npm run reset` clears the stack)');
  }
  alice.cardId = String(
    ok(
      '张三 binds his ICBC debit card',
      bound,
      201,
      (b) => `${String(b['maskedNumber'])} ${String(b['issuer'])} ${String(b['cardType'])}, default=${String(b['isDefault'])}`,
    )['cardId'],
  );
  const abc = deps.cards.nonIcbc;
  refused(
    '张三 tries to bind his Agricultural Bank card',
    await post(
      `/users/${alice.userId}/cards`,
      { cardNumber: abc.number, holderName: abc.holderName, reservedPhone: abc.reservedPhone },
      alice.token,
    ),
    'CARD_NOT_SUPPORTED',
  );
  const liSi = deps.cards.liSi;
  bob.cardId = String(
    ok(
      '李四 binds his ICBC card',
      await post(
        `/users/${bob.userId}/cards`,
        { cardNumber: liSi.number, holderName: liSi.holderName, reservedPhone: liSi.reservedPhone },
        bob.token,
      ),
      201,
      (b) => String(b['maskedNumber']),
    )['cardId'],
  );
  for (const user of [alice, bob]) {
    // The wallet learns of the payment password and the card from events: retry until it knows.
    const opened = await until(
      () => post(`/users/${user.userId}/wallet`, {}, user.token),
      (r) => r.status !== 422,
    );
    ok(`${user.name} opens the wallet (开通)`, opened, 201, (b) => `walletId ${String(b['walletId'])}, tier ${String(b['tier'])}`);
  }
}

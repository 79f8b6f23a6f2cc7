import { isSecretField, redact, scrubText } from './redact';

describe('scrubText', () => {
  it.each([
    ['a sealed field', 'payload seal:v1:AbC+/=:xyz_-.1 end', 'payload [sealed] end'],
    ['a keyring-encrypted field', 'got enc:v1:k1:aGVsbG8:d29ybGQ:dGFn here', 'got [sealed] here'],
    ['a bearer token', 'authorization: Bearer abc.def-ghi', 'authorization: Bearer [redacted]'],
    [
      'a URL password',
      'connecting to postgres://ledger:s3cret@db:5432/ledger',
      'connecting to postgres://ledger:[redacted]@db:5432/ledger',
    ],
    ['a JWT alone', 'token eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl seen', 'token [redacted] seen'],
    ['a password pair', 'loginPassword=Secret123 rest', 'loginPassword=[redacted] rest'],
    ['a JSON code', '{"smsCode":"482913","x":1}', '{"smsCode":"[redacted]","x":1}'],
    ['a card number', 'card 6222 0212 3456 7890 128 bound', 'card [card] bound'],
    ['a dashed card number', 'card 6222-0212-3456-7890 bound', 'card [card] bound'],
    ['an ID number', 'id 11010519491231002X ok', 'id [id-number] ok'],
    ['a mobile number', 'sent to 13812345678.', 'sent to [phone].'],
    ['a mobile number with +86', 'sent to +86 138-1234-5678', 'sent to [phone]'],
  ])('hides %s', (_what, text, expected) => {
    expect(scrubText(text)).toBe(expected);
  });

  it.each([
    'payments.PayBill.v1 3f2a9c1e-7d4b-4a53-9f0e-1c2d3e4f5a6b rejected INSUFFICIENT_FUNDS actor=user:7f3a',
    'code=INSUFFICIENT_FUNDS statusCode: 503',
    'payments.commands.from.gateway[3]@1234567 took 12 ms at 2026-11-10T12:34:56.789Z',
    'amount 1000000 fen, position 98765432101',
  ])('keeps what is not a secret: %s', (text) => {
    expect(scrubText(text)).toBe(text);
  });

  it('bounds what it scrubs', () => {
    const scrubbed = scrubText('x'.repeat(100_000));
    expect(scrubbed.length).toBeLessThan(8_300);
    expect(scrubbed).toContain('more characters');
  });
});

describe('redact', () => {
  it("drops every secret field of the contracts and credentials' usual names, at any depth", () => {
    const out = redact({
      userId: 'u-1',
      loginPassword: 'Secret123',
      nested: { cardNumber: '6222021234567890128', holderName: '张三', headers: { Authorization: 'Bearer x', 'x-api-key': 'k' } },
      list: [{ paymentPassword: '135790' }],
      smsCode: '482913',
      code: 'WALLET_FROZEN',
      statusCode: 503,
    });
    expect(out).toEqual({
      userId: 'u-1',
      loginPassword: '[redacted]',
      nested: { cardNumber: '[redacted]', holderName: '[redacted]', headers: { Authorization: '[redacted]', 'x-api-key': '[redacted]' } },
      list: [{ paymentPassword: '[redacted]' }],
      smsCode: '[redacted]',
      code: 'WALLET_FROZEN',
      statusCode: 503,
    });
  });

  it('scrubs strings, reduces errors and bounds depth and width', () => {
    const error = new Error('could not open seal:v1:abc for 13812345678');
    const deep = { a: { b: { c: { d: { e: { f: 'too deep' } } } } } };
    expect(redact({ at: new Date('2026-11-10T12:00:00.000Z') })).toEqual({ at: '2026-11-10T12:00:00.000Z' });
    const out = redact({ error, note: 'to 13812345678', deep, many: Array.from({ length: 60 }, (_, i) => i) }) as Record<string, unknown>;
    expect(out['error']).toMatchObject({ type: 'Error', message: 'could not open [sealed] for [phone]' });
    expect(out['note']).toBe('to [phone]');
    expect(JSON.stringify(out['deep'])).toContain('[nested too deep]');
    expect((out['many'] as unknown[]).length).toBe(51);
  });

  it('keeps a code that is a stable code or an HTTP status, and drops a one-time code', () => {
    expect(isSecretField('code', 'INVALID_CODE')).toBe(false);
    expect(isSecretField('code', 404)).toBe(false);
    expect(isSecretField('code', '482913')).toBe(true);
    expect(isSecretField('recoveryCodes', ['abcde-fghij'])).toBe(true);
  });
});

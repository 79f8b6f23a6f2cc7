import { identityContract, paymentsContract } from '@ledger/contracts';
import {
  FieldDecryptionError,
  developmentKeyring,
  encryptField,
  openSealedField,
  openingKeysFromEnv,
  sealField,
  sealingKeyFromEnv,
} from '@ledger/crypto';
import type { RecordedEvent } from '@ledger/event-store';
import { createPaymentCodec } from './payment-codec';
import { BILL_REFERENCE_AAD, NotAMobilePhone, PersonalFields, RECIPIENT_PHONE_AAD, maskPhone } from './personal-fields';

const fieldKeys = developmentKeyring('field-encryption');
const DEV = { LEDGER_DEV_MODE: '1' };
const phones = new PersonalFields(fieldKeys, developmentKeyring('hash-pepper'), new Map(), sealingKeyFromEnv(DEV, 'identity'));
/** With payments' (development) opening keys: what the gateway sealed for payments opens. */
const withSealKeys = new PersonalFields(
  fieldKeys,
  developmentKeyring('hash-pepper'),
  openingKeysFromEnv(DEV, 'payments'),
  sealingKeyFromEnv(DEV, 'identity'),
);
/** What identity reads from the FindUserByPhone payload payments sends: sealed for identity's key, which payments does not hold. */
const asIdentityReadsIt = (phone: Parameters<PersonalFields['forIdentity']>[0]) =>
  openSealedField(phones.forIdentity(phone), openingKeysFromEnv({ LEDGER_DEV_MODE: '1' }, 'identity'), identityContract.secretAad('phone'));

describe('personal data of payments at rest (recipient phones, bill references)', () => {
  it('given a phone, when protected, then the stored form holds a ciphertext, a mask and a fingerprint, never the number', () => {
    const protectedPhone = phones.protect('+86 138-1234-5678');
    expect(protectedPhone.encrypted).toMatch(/^enc:v1:/);
    expect(protectedPhone.masked).toBe('138****5678');
    expect(JSON.stringify(protectedPhone)).not.toContain('13812345678');
    expect(asIdentityReadsIt(protectedPhone)).toBe('13812345678');
  });

  it('given the number as the gateway encrypted it for payments, when protected, then it is kept the same way; a number encrypted for identity does not open', () => {
    const fromGateway = encryptField('+86 138-1234-5678', fieldKeys, paymentsContract.secretAad('recipientPhone'));
    const protectedPhone = phones.protectEncrypted(fromGateway);
    expect(protectedPhone.masked).toBe('138****5678');
    expect(protectedPhone.fingerprint).toBe(phones.protect('13812345678').fingerprint);
    expect(() => phones.protectEncrypted(encryptField('13812345678', fieldKeys, identityContract.secretAad('phone')))).toThrow();
  });

  it('encryption is randomized but the fingerprint is stable across spellings of the same number', () => {
    const a = phones.protect('13812345678');
    const b = phones.protect('0086 138 1234 5678');
    expect(a.encrypted).not.toBe(b.encrypted);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(phones.protect('13812345679').fingerprint).not.toBe(a.fingerprint);
  });

  it('a ciphertext moved to another field (other AAD) or made under another key does not decrypt', () => {
    const other = new PersonalFields(
      developmentKeyring('hash-pepper'),
      developmentKeyring('hash-pepper'),
      new Map(),
      sealingKeyFromEnv(DEV, 'identity'),
    );
    expect(() => other.forIdentity(phones.protect('13812345678'))).toThrow();
  });

  it('keeps one number in its canonical form and refuses what is not a mobile number', () => {
    const sealedFor = (phone: string) => sealField(phone, sealingKeyFromEnv(DEV, 'payments'), RECIPIENT_PHONE_AAD);
    expect(withSealKeys.protectEncrypted(sealedFor('+86 138-1234-5678')).fingerprint).toBe(
      withSealKeys.protectEncrypted(sealedFor('13812345678')).fingerprint,
    );
    expect(() => withSealKeys.protectEncrypted(sealedFor('19 +56 +3  '))).toThrow(NotAMobilePhone);
    expect(maskPhone('123')).toBe('***');
  });

  it('upcasts a legacy transfer whose event holds the plain phone into the protected shape, in memory', () => {
    const codec = createPaymentCodec({
      phone: (phone) => phones.protect(phone),
      billReference: (reference) => phones.protectReference(reference),
    });
    const record = {
      stream: 'payment-p1',
      revision: 0n,
      type: 'payments.PaymentInitiated.v1',
      data: {
        request: {
          kind: 'transfer',
          paymentId: 'p1',
          userId: 'u1',
          walletId: 'w1',
          recipientPhone: '13812345678',
          amountMinor: '700',
          description: '',
        },
        fingerprint: 'f',
        initiatedAt: '2026-11-22T10:00:00.000Z',
      },
    } as unknown as RecordedEvent;
    const event = codec.decode(record);
    if (event.type !== 'PaymentInitiated' || event.data.request.kind !== 'transfer') throw new Error('not a transfer');
    expect(event.data.request.amountMinor).toBe('700');
    expect(event.data.request.recipientPhone.masked).toBe('138****5678');
    expect(asIdentityReadsIt(event.data.request.recipientPhone)).toBe('13812345678');
    expect(() => createPaymentCodec().decode(record)).toThrow(/plain recipientPhone/);
  });

  it("keeps a bill's reference (a mobile bill's is the phone number) as a ciphertext, a masked form and a fingerprint, and gives it in clear to the biller only", () => {
    const sealed = sealField('13812345678', sealingKeyFromEnv(DEV, 'payments'), BILL_REFERENCE_AAD);
    const reference = withSealKeys.protectBillReference(sealed);
    expect(reference.masked).toBe('138****5678');
    expect(JSON.stringify(reference)).not.toContain('13812345678');
    expect(withSealKeys.forBiller(reference)).toBe('13812345678');
    // The same reference twice: the same fingerprint (the payment's idempotency), another ciphertext.
    const again = withSealKeys.protectBillReference(sealField('13812345678', sealingKeyFromEnv(DEV, 'payments'), BILL_REFERENCE_AAD));
    expect(again.fingerprint).toBe(reference.fingerprint);
    expect(again.encrypted).not.toBe(reference.encrypted);
    // Sealed as another field, it does not open as a bill reference.
    expect(() =>
      withSealKeys.protectBillReference(sealField('13812345678', sealingKeyFromEnv(DEV, 'payments'), RECIPIENT_PHONE_AAD)),
    ).toThrow(FieldDecryptionError);
  });
});

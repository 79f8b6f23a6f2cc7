import { identityContract, paymentsContract } from '@ledger/contracts';
import { decryptField, developmentKeyring, encryptField } from '@ledger/crypto';
import type { RecordedEvent } from '@ledger/event-store';
import { createPaymentCodec } from './payment-codec';
import { RecipientPhones, maskPhone, normalizePhone } from './recipient-phone';

const fieldKeys = developmentKeyring('field-encryption');
const phones = new RecipientPhones(fieldKeys, developmentKeyring('hash-pepper'), new Map());
/** What identity reads from the FindUserByPhone payload payments sends. */
const asIdentityReadsIt = (phone: Parameters<RecipientPhones['forIdentity']>[0]) => decryptField(phones.forIdentity(phone), fieldKeys, identityContract.secretAad('phone'));

describe('recipient phones at rest', () => {
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
    const other = new RecipientPhones(developmentKeyring('hash-pepper'), developmentKeyring('hash-pepper'), new Map());
    expect(() => other.forIdentity(phones.protect('13812345678'))).toThrow();
  });

  it('normalizes and masks', () => {
    expect(normalizePhone('+8613812345678')).toBe('13812345678');
    expect(maskPhone('123')).toBe('***');
  });

  it('upcasts a legacy transfer whose event holds the plain phone into the protected shape, in memory', () => {
    const codec = createPaymentCodec((phone) => phones.protect(phone));
    const record = {
      stream: 'payment-p1',
      revision: 0n,
      type: 'payments.PaymentInitiated.v1',
      data: { request: { kind: 'transfer', paymentId: 'p1', userId: 'u1', walletId: 'w1', recipientPhone: '13812345678', amountMinor: '700', description: '' }, fingerprint: 'f', initiatedAt: '2026-11-22T10:00:00.000Z' },
    } as unknown as RecordedEvent;
    const event = codec.decode(record);
    if (event.type !== 'PaymentInitiated' || event.data.request.kind !== 'transfer') throw new Error('not a transfer');
    expect(event.data.request.amountMinor).toBe(700n);
    expect(event.data.request.recipientPhone.masked).toBe('138****5678');
    expect(asIdentityReadsIt(event.data.request.recipientPhone)).toBe('13812345678');
    expect(() => createPaymentCodec().decode(record)).toThrow(/plain recipient phone/);
  });
});

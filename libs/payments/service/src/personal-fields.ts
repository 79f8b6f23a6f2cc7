import { identityContract, normalizeMobilePhone, paymentsContract } from '@ledger/contracts';
import {
  decryptField,
  encryptField,
  fingerprint,
  loadFieldKeyring,
  loadPepperKeyring,
  openField,
  openingKeysFromEnv,
  sealField,
  sealingKeyFromEnv,
  type Keyring,
  type OpeningKeys,
  type SealingKey,
} from '@ledger/crypto';
import type { ProtectedPhone, ProtectedValue } from '@ledger/payments-domain';

/** Additional authenticated data of a recipient phone's ciphertext (from the gateway, and at rest): it cannot be replayed as another field. */
export const RECIPIENT_PHONE_AAD = paymentsContract.secretAad('recipientPhone');
/** Domain separation of the phone's keyed fingerprint (never equal to identity's phone fingerprints). */
export const RECIPIENT_PHONE_PURPOSE = 'payments:recipient-phone';
/** Additional authenticated data of a bill reference's ciphertext (from the gateway, and at rest). */
export const BILL_REFERENCE_AAD = paymentsContract.secretAad('billReference');
const BILL_REFERENCE_PURPOSE = 'payments:bill-reference';
/** Additional authenticated data and fingerprint purpose of a cash depositor's ID number. */
export const DEPOSITOR_ID_AAD = paymentsContract.secretAad('depositorIdNumber');
const DEPOSITOR_ID_PURPOSE = 'payments:depositor-id';

/** `110105199001011234` → `110105********1234`: the region and the last four, as a counter slip shows it. */
export const maskIdNumber = (idNumber: string): string =>
  `${idNumber.slice(0, 6)}${'*'.repeat(Math.max(0, idNumber.length - 10))}${idNumber.slice(-4)}`;

/** A depositor ID that is not an 18-character resident ID number: refused before anything is recorded. */
export class NotAnIdNumber extends Error {
  constructor() {
    super('depositorIdNumber is not an 18-character resident ID number');
    this.name = 'NotAnIdNumber';
  }
}

/** A recipient phone that is not a mainland China mobile number: refused before anything is recorded or sent to identity. */
export class NotAMobilePhone extends Error {
  constructor() {
    super('recipientPhone is not a mainland China mobile number');
    this.name = 'NotAMobilePhone';
  }
}

/** `13812345678` → `138****5678`; short inputs are masked entirely. */
export function maskPhone(phone: string): string {
  if (phone.length < 8) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}

/**
 * Keeps the personal data of a payment out of plain text at rest, a transfer's recipient phone and
 * a bill's reference (a mobile bill's is the phone number): the payment's events hold a ciphertext
 * (AES-256-GCM under the field keyring), a masked form and a keyed fingerprint (HMAC under the
 * pepper keyring). The plain value exists only in memory: when the command arrives, when the
 * FindUserByPhone step encrypts the number for identity, and when the biller is called.
 */
export class PersonalFields {
  constructor(
    private readonly fieldKeyring: Keyring,
    private readonly pepperKeyring: Keyring,
    /** Payments' X25519 private keys: they open the numbers the gateway sealed for payments. */
    private readonly sealOpeningKeys: OpeningKeys,
    /** Identity's public key: the number of a recipient look-up is sealed for identity, whose field keys payments does not hold. */
    private readonly identitySealingKey: SealingKey,
  ) {}

  /**
   * Keys from `FIELD_KEYS`/`FIELD_KEY_ACTIVE` (payments' own), `HASH_PEPPER_KEYS`/`HASH_PEPPER_ACTIVE`,
   * `PAYMENTS_SEAL_PRIVATE_KEYS` and `IDENTITY_SEAL_PUBLIC_KEY`; in development mode (`LEDGER_DEV_MODE=1`) a missing variable falls back to the public
   * development keys, otherwise it stops the service at start-up.
   */
  static fromEnv(env: Readonly<Record<string, string | undefined>> = process.env): PersonalFields {
    return new PersonalFields(
      loadFieldKeyring(env, { allowDevelopmentKeys: true }),
      loadPepperKeyring(env, { allowDevelopmentKeys: true }),
      openingKeysFromEnv(env, 'payments'),
      sealingKeyFromEnv(env, 'identity'),
    );
  }

  /** The number as the gateway sealed it (or a service encrypted it), kept as a ciphertext, a masked form and a fingerprint; throws `FieldDecryptionError` on a ciphertext that is not one. */
  protectEncrypted(ciphertext: string): ProtectedPhone {
    // One rule with the gateway and identity (`normalizeMobilePhone`), so one number has one
    // fingerprint and identity is never asked about something it would refuse.
    const phone = normalizeMobilePhone(this.opened(ciphertext, RECIPIENT_PHONE_AAD));
    if (phone === undefined) throw new NotAMobilePhone();
    return this.kept(phone, RECIPIENT_PHONE_AAD, RECIPIENT_PHONE_PURPOSE);
  }

  /** A plain number (a transfer recorded before the numbers were encrypted, upcast on reading) as a ciphertext, a masked form and a fingerprint. */
  protect(raw: string): ProtectedPhone {
    // A recorded payment is read as it was recorded, even if its number was never a valid one.
    return this.kept(normalizeMobilePhone(raw) ?? raw, RECIPIENT_PHONE_AAD, RECIPIENT_PHONE_PURPOSE);
  }

  /** The number sealed for identity's lookup (field phone): it never travels in clear; throws if the stored ciphertext was tampered with or its key is gone. */
  forIdentity(phone: ProtectedPhone): string {
    return sealField(
      decryptField(phone.encrypted, this.fieldKeyring, RECIPIENT_PHONE_AAD),
      this.identitySealingKey,
      identityContract.secretAad('phone'),
    );
  }

  /** A bill's reference as the gateway sealed it, kept protected like a phone; throws `FieldDecryptionError` on a ciphertext that is not one. */
  protectBillReference(ciphertext: string): ProtectedValue {
    return this.protectReference(this.opened(ciphertext, BILL_REFERENCE_AAD));
  }

  /** A plain reference (a bill recorded before references were protected, upcast on reading) as a ciphertext, a masked form and a fingerprint. */
  protectReference(reference: string): ProtectedValue {
    return this.kept(reference, BILL_REFERENCE_AAD, BILL_REFERENCE_PURPOSE);
  }

  /** A cash depositor's ID number as the gateway sealed it, kept protected; throws `FieldDecryptionError` or `NotAnIdNumber`. */
  protectIdNumber(ciphertext: string): ProtectedValue {
    const idNumber = this.opened(ciphertext, DEPOSITOR_ID_AAD).trim().toUpperCase();
    if (!/^\d{17}[\dX]$/.test(idNumber)) throw new NotAnIdNumber();
    return this.kept(idNumber, DEPOSITOR_ID_AAD, DEPOSITOR_ID_PURPOSE, maskIdNumber);
  }

  /** The reference in clear, for the biller's call only. */
  forBiller(reference: ProtectedValue): string {
    return decryptField(reference.encrypted, this.fieldKeyring, BILL_REFERENCE_AAD);
  }

  /** A field of a command, sealed for payments (or keyring-encrypted by a service), opened in memory. */
  private opened(ciphertext: string, aad: string): string {
    return openField(ciphertext, { keyring: this.fieldKeyring, opening: this.sealOpeningKeys }, aad);
  }

  /** How a personal value is kept: encrypted under payments' own keys, masked for display, fingerprinted for idempotency. */
  private kept(value: string, aad: string, purpose: string, mask: (value: string) => string = maskPhone): ProtectedValue {
    return {
      encrypted: encryptField(value, this.fieldKeyring, aad),
      masked: mask(value),
      fingerprint: fingerprint(purpose, value, this.pepperKeyring),
    };
  }
}

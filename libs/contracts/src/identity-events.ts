/** The identity contract's published events and their data schemas (re-exported by `identity.ts`). */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Instant, RiskSeverity, RiskSignal } from './identity-fields';

// ---------------------------------------------------------------- published events (identity.events)

/**
 * The events other contexts follow, with their data schemas. Message key = the stream id
 * (`user-<userId>`), value = the data, metadata in headers (message-id = event id, for dedupe).
 * Hash fields (`phoneHash`) are keyed hashes, never plaintext; phones and names are published
 * masked only; consumers should ignore fields they do not know.
 */
export const EVENT_TYPES = {
  UserRegistered: 'identity.UserRegistered.v1',
  PaymentPasswordSet: 'identity.PaymentPasswordSet.v1',
  PaymentPasswordReset: 'identity.PaymentPasswordReset.v1',
  PaymentPasswordLocked: 'identity.PaymentPasswordLocked.v1',
  AccountFrozen: 'identity.AccountFrozen.v1',
  AccountUnfrozen: 'identity.AccountUnfrozen.v1',
  RiskAlertRaised: 'identity.RiskAlertRaised.v1',
  IdentityVerified: 'identity.IdentityVerified.v1',
} as const;

const loose = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: true });

export const UserRegisteredData = loose({
  userId: Type.String(),
  phoneHash: Type.String({ description: 'keyed fingerprint of the phone (HMAC-SHA-256)' }),
  maskedPhone: Type.String({ description: 'e.g. 138****5678' }),
  maskedName: Type.String({ description: 'e.g. *三: the name itself stays in the identity service' }),
  identityLevel: Type.Union([Type.Literal('basic'), Type.Literal('verified')]),
  registeredAt: Instant,
});

export const PaymentPasswordSetData = loose({ userId: Type.String(), at: Instant });
export const PaymentPasswordResetData = loose({ userId: Type.String(), at: Instant });
export const PaymentPasswordLockedData = loose({ userId: Type.String(), lockedUntil: Instant, at: Instant });

const FreezeActor = Type.Union([
  Type.Object({ kind: Type.Literal('user') }),
  Type.Object({ kind: Type.Literal('support'), agentId: Type.String() }),
  Type.Object({ kind: Type.Literal('risk'), ruleId: Type.String() }),
]);

/** The account's identity is verified (after registration): the wallet raises its tier. The ID number stays in identity. */
export const IdentityVerifiedData = loose({ userId: Type.String(), identityLevel: Type.Literal('verified'), at: Instant });

export const AccountFrozenData = loose({ userId: Type.String(), reason: Type.String(), actor: FreezeActor, at: Instant });

export const AccountUnfrozenData = loose({
  userId: Type.String(),
  actor: Type.Union([
    Type.Object({ kind: Type.Literal('user') }),
    Type.Object({ kind: Type.Literal('support'), agentId: Type.String(), verificationReference: Type.String() }),
  ]),
  at: Instant,
});

export const RiskAlertRaisedData = loose({
  userId: Type.String(),
  signal: RiskSignal,
  severity: RiskSeverity,
  description: Type.String(),
  source: Type.String(),
  at: Instant,
});

export const PUBLISHED_EVENTS: Readonly<Record<(typeof EVENT_TYPES)[keyof typeof EVENT_TYPES], TSchema>> = {
  [EVENT_TYPES.UserRegistered]: UserRegisteredData,
  [EVENT_TYPES.PaymentPasswordSet]: PaymentPasswordSetData,
  [EVENT_TYPES.PaymentPasswordReset]: PaymentPasswordResetData,
  [EVENT_TYPES.PaymentPasswordLocked]: PaymentPasswordLockedData,
  [EVENT_TYPES.AccountFrozen]: AccountFrozenData,
  [EVENT_TYPES.AccountUnfrozen]: AccountUnfrozenData,
  [EVENT_TYPES.RiskAlertRaised]: RiskAlertRaisedData,
  [EVENT_TYPES.IdentityVerified]: IdentityVerifiedData,
};

export type UserRegisteredData = Static<typeof UserRegisteredData>;
export type AccountFrozenData = Static<typeof AccountFrozenData>;
export type AccountUnfrozenData = Static<typeof AccountUnfrozenData>;
export type RiskAlertRaisedData = Static<typeof RiskAlertRaisedData>;

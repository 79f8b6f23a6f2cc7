/** The HTTP schemas of staff: the staff login, the maintenance window and an agent's action trail. */
import { Type } from '@sinclair/typebox';
import { Instant, loose, strict } from './schema-fields';

export const StaffLoginRequest = strict({
  agentId: Type.String({
    pattern: '^[A-Za-z0-9-]{1,64}$',
    description: 'the agent id from the staff registry (IDENTITY_STAFF, held by identity)',
  }),
  password: Type.String({ minLength: 1, maxLength: 128, description: "the agent's password" }),
  totpCode: Type.String({ pattern: '^[0-9]{6}$', description: "the current code of the agent's authenticator (mandatory for staff)" }),
});
export const StaffLoginResponse = loose({
  agentId: Type.String(),
  role: Type.Union([Type.Literal('support'), Type.Literal('teller'), Type.Literal('supervisor')]),
  tokenType: Type.Literal('Bearer'),
  accessToken: Type.String({
    description:
      "EdDSA JWT from the staff issuer (ledger-staff, audience ledger-staff-api) with the agent's role; send as Authorization: Bearer <token>",
  }),
  accessTokenExpiresAt: Instant,
});
export const MaintenanceRequest = Type.Union(
  [
    strict({
      on: Type.Literal(true),
      until: Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
        description: 'end of the window (ISO-8601)',
      }),
      message: Type.String({ minLength: 1, maxLength: 500 }),
    }),
    strict({ on: Type.Literal(false) }),
  ],
  { description: 'open a maintenance window (registration answers 503 SYSTEM_MAINTENANCE until `until`) or close it' },
);
export const MaintenanceResponse = loose({
  on: Type.Boolean(),
  until: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  message: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export const AgentIdParam = Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' });
export const StaffActionListResponse = loose({
  agentId: Type.String(),
  actions: Type.Array(
    loose({
      action: Type.String({
        description: 'the event type, e.g. identity.AccountFrozen.v1, payments.CounterTopUpApproved.v1, identity.StaffLoginFailed.v1',
      }),
      role: Type.String({ description: 'support, teller or supervisor (the role acted in), or login (a login attempt)' }),
      stream: Type.String({ description: 'what was acted on, e.g. user-<userId>, payment-<paymentId>, staff-<agentId>' }),
      subjectUserId: Type.Optional(Type.String()),
      occurredAt: Instant,
      commandId: Type.Optional(Type.String()),
    }),
  ),
  nextCursor: Type.Optional(Type.String({ description: 'the before of the next page' })),
});

/**
 * What identity's commands that internal systems may send answer when accepted (each command's
 * `accepted` in `identity-account-commands.ts`), as the use cases under
 * `libs/identity/service/src/use-cases` build it.
 */
import { Type } from '@sinclair/typebox';
import { AnsweredInstant, answer } from './accepted-fields';

/** FreezeAccount (`freeze/freeze-account.ts`): when the freeze was recorded (the AccountFrozen event's `at`), null if the step shows no such event. */
export const AccountFrozenAnswer = answer({ userId: Type.String(), frozenAt: Type.Union([AnsweredInstant, Type.Null()]) });

/** RaiseRiskAlert (`freeze/raise-risk-alert.ts`): whether the alert also froze the account (`protect`). */
export const RiskAlertAnswer = answer({ userId: Type.String(), frozen: Type.Boolean() });

/** FindUserByPhone (`lookup/find-user-by-phone.ts`): the user's row of the read model; the phone only masked. */
export const UserByPhoneAnswer = answer({
  userId: Type.String(),
  maskedPhone: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('frozen')]),
  identityLevel: Type.String(),
  registeredAt: AnsweredInstant,
});

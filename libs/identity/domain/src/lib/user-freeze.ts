/**
 * The user decider's freeze commands: freezing the account, unfreezing it (by support, or by the
 * user with an SMS code, the payment password and the second factor), and risk alerts from outside
 * identity, which freeze the account when they ask for protection.
 */
import { assertNever, reject } from '@ledger/util';
import { IDENTITY_ERROR, InvalidIdentityCommand } from './codes';
import { IDENTITY_EVENT, type UserEvent } from './events';
import type { IdentityPolicy } from './policy';
import { instant, type Instant } from './time';
import { createUserGates, requireProof, requireText, type Decision } from './user-gates';
import type { FreezeAccount, RaiseRiskAlert, RegisteredUser, UnfreezeAccount } from './user-types';

/** The freeze decisions under `policy` (its lock limits apply to the user's own unfreeze), one per command. */
export function createUserFreezeDecisions(policy: Readonly<IdentityPolicy>) {
  const at = (now: Instant): Instant => instant(now);

  const { paymentPasswordGate, secondFactorGate } = createUserGates(policy);

  function freeze(command: FreezeAccount, user: RegisteredUser): Decision {
    requireText(command.reason, 'reason');
    if (user.freeze.kind === 'frozen')
      return reject(IDENTITY_ERROR.ALREADY_FROZEN, 'the account is already frozen', { frozenAt: user.freeze.frozenAt });
    return [
      {
        type: IDENTITY_EVENT.AccountFrozen,
        data: { userId: user.userId, reason: command.reason, actor: command.actor, at: at(command.now) },
      },
    ];
  }

  function unfreeze(command: UnfreezeAccount, user: RegisteredUser): Decision {
    if (user.freeze.kind === 'active') return reject(IDENTITY_ERROR.NOT_FROZEN, 'the account is not frozen');
    const actor = command.actor;
    switch (actor.kind) {
      case 'support':
        requireText(actor.agentId, 'actor.agentId');
        requireText(actor.verificationReference, 'actor.verificationReference');
        return [
          {
            type: IDENTITY_EVENT.AccountUnfrozen,
            data: {
              userId: user.userId,
              actor: { kind: 'support', agentId: actor.agentId, verificationReference: actor.verificationReference },
              verificationCodeId: null,
              at: at(command.now),
            },
          },
        ];
      case 'user': {
        // Risk control froze it because the owner's own credentials may be compromised; the owner's SMS and password cannot lift that.
        if (user.freeze.actor.kind === 'risk')
          return reject(IDENTITY_ERROR.UNFREEZE_REQUIRES_SUPPORT, 'contact customer service to unfreeze this account', {
            frozenBy: 'risk',
          });
        if (actor.verification !== undefined) requireProof(actor.verification, 'unfreeze', user.phoneHash);
        const password = paymentPasswordGate(user, actor.paymentPasswordMatches, 'unfreeze', command.now);
        if (password !== null) return password;
        const verification = actor.verification;
        return secondFactorGate(user, actor.secondFactor, 'unfreeze', command.now, () => {
          if (verification === undefined) throw new InvalidIdentityCommand('an unfreeze by the user needs its consumed SMS code');
          return [
            {
              type: IDENTITY_EVENT.AccountUnfrozen,
              data: { userId: user.userId, actor: { kind: 'user' }, verificationCodeId: verification.codeId, at: at(command.now) },
            },
          ];
        });
      }
      default:
        return assertNever(actor, 'unfreeze actor');
    }
  }

  function raiseRiskAlert(command: RaiseRiskAlert, user: RegisteredUser): Decision {
    requireText(command.description, 'description');
    requireText(command.source, 'source');
    const events: UserEvent[] = [
      {
        type: IDENTITY_EVENT.RiskAlertRaised,
        data: {
          userId: user.userId,
          signal: command.signal,
          severity: command.severity,
          description: command.description,
          source: command.source,
          at: at(command.now),
        },
      },
    ];
    if (command.protect && user.freeze.kind === 'active') {
      events.push({
        type: IDENTITY_EVENT.AccountFrozen,
        data: {
          userId: user.userId,
          reason: `risk:${command.signal}`,
          actor: { kind: 'risk', ruleId: command.source },
          at: at(command.now),
        },
      });
    }
    return events;
  }

  return { freeze, unfreeze, raiseRiskAlert };
}

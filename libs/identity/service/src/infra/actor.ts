import { actorAmong } from '@ledger/contracts';

/**
 * The `actor` header names who sends a command: `user:<id>`, `support:<agentId>`,
 * `system:<service>`, `risk:<ruleId>`; anything else (e.g. `anonymous`, the gateway before login)
 * counts as anonymous. The gateway sets it from the verified access token, so the identity
 * service trusts it as the caller's identity and authorizes on it.
 */
export type Actor = ReturnType<typeof parseActor>;

/** The header read by the contracts' one rule; a kind identity does not act on counts as anonymous. */
export function parseActor(header: string) {
  return actorAmong(header, ['user', 'support', 'system', 'risk'] as const);
}

/** Refused for lack of the right actor; answered as `FORBIDDEN`. */
export class ForbiddenActor extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenActor';
  }
}

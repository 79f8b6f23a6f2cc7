import { parseActorHeader } from '@ledger/contracts';

/**
 * The `actor` header names who sends a command: `user:<id>`, `support:<agentId>`,
 * `system:<service>`, `risk:<ruleId>`; anything else (e.g. `anonymous`, the gateway before login)
 * counts as anonymous. The gateway sets it from the verified access token, so the identity
 * service trusts it as the caller's identity and authorizes on it.
 */
export type Actor =
  | { kind: 'user'; id: string }
  | { kind: 'support'; id: string }
  | { kind: 'system'; id: string }
  | { kind: 'risk'; id: string }
  | { kind: 'anonymous' };

/** The header read by the contracts' one rule (`parseActorHeader`); a kind identity does not act on counts as anonymous. */
export function parseActor(header: string): Actor {
  const parsed = parseActorHeader(header.trim());
  if (parsed === undefined) return { kind: 'anonymous' };
  const { kind, id } = parsed;
  return kind === 'user' || kind === 'support' || kind === 'system' || kind === 'risk' ? { kind, id } : { kind: 'anonymous' };
}

/** Refused for lack of the right actor; answered as `FORBIDDEN`. */
export class ForbiddenActor extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenActor';
  }
}

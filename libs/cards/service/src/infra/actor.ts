import { actorAmong } from '@ledger/contracts';

/**
 * The `actor` header names who sends a command: `user:<id>`, `support:<agentId>`,
 * `system:<service>`; anything else counts as anonymous. The gateway sets it from the verified
 * access token and internal services set their own, so the cards service authorizes on it.
 */
export type Actor = ReturnType<typeof parseActor>;

/** The header read by the contracts' one rule; a kind cards does not act on counts as anonymous. */
export function parseActor(header: string) {
  return actorAmong(header, ['user', 'support', 'system'] as const);
}

/** Who may act on the cards of `userId`: the owner always; the other kinds only where listed. */
export function actorMayActFor(actor: Actor, userId: string, alsoAllowed: ReadonlyArray<'support' | 'system'> = []): boolean {
  if (actor.kind === 'user') return actor.id === userId;
  if (actor.kind === 'anonymous') return false;
  return alsoAllowed.includes(actor.kind);
}

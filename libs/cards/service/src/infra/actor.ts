import { parseActorHeader } from '@ledger/contracts';

/**
 * The `actor` header names who sends a command: `user:<id>`, `support:<agentId>`,
 * `system:<service>`; anything else counts as anonymous. The gateway sets it from the verified
 * access token and internal services set their own, so the cards service authorizes on it.
 */
export type Actor = { kind: 'user'; id: string } | { kind: 'support'; id: string } | { kind: 'system'; id: string } | { kind: 'anonymous' };

/** The header read by the contracts' one rule (`parseActorHeader`); a kind cards does not act on counts as anonymous. */
export function parseActor(header: string): Actor {
  const parsed = parseActorHeader(header.trim());
  if (parsed === undefined) return { kind: 'anonymous' };
  const { kind, id } = parsed;
  return kind === 'user' || kind === 'support' || kind === 'system' ? { kind, id } : { kind: 'anonymous' };
}

/** Who may act on the cards of `userId`: the owner always; the other kinds only where listed. */
export function actorMayActFor(actor: Actor, userId: string, alsoAllowed: ReadonlyArray<'support' | 'system'> = []): boolean {
  if (actor.kind === 'user') return actor.id === userId;
  if (actor.kind === 'anonymous') return false;
  return alsoAllowed.includes(actor.kind);
}

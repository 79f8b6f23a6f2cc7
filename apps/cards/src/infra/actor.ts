/**
 * The `actor` header names who sends a command: `user:<id>`, `support:<agentId>`,
 * `system:<service>`; anything else counts as anonymous. The gateway sets it from the verified
 * access token and internal services set their own, so the cards service authorizes on it.
 */
export type Actor = { kind: 'user'; id: string } | { kind: 'support'; id: string } | { kind: 'system'; id: string } | { kind: 'anonymous' };

export function parseActor(header: string): Actor {
  const match = /^(user|support|system):(.+)$/.exec(header.trim());
  if (match === null || match[1] === undefined || match[2] === undefined) return { kind: 'anonymous' };
  return { kind: match[1] as 'user' | 'support' | 'system', id: match[2] };
}

/** Who may act on the cards of `userId`: the owner always; the other kinds only where listed. */
export function actorMayActFor(actor: Actor, userId: string, alsoAllowed: ReadonlyArray<'support' | 'system'> = []): boolean {
  if (actor.kind === 'user') return actor.id === userId;
  if (actor.kind === 'anonymous') return false;
  return alsoAllowed.includes(actor.kind);
}

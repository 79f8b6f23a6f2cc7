import { ACTOR_KINDS, sendersOfContext, type ActorKind, type CommandContract, type Sender } from '@ledger/contracts';

/** One way of sending a command: the sender's topic it is written to and the actor it asserts. */
export interface SendAttempt {
  sender: Sender;
  actor: string;
}

/** An actor of `kind` as `sender` would assert it; a user actor names `userId`, so only the sender and the kind can make it wrong. */
function actorOf(kind: ActorKind, sender: Sender, userId: string): string {
  if (kind === 'anonymous') return 'anonymous';
  if (kind === 'user') return `user:${userId}`;
  if (kind === 'system') return `system:${sender === 'internal' ? 'risk-engine' : sender}`;
  return `${kind}:attacker-1`;
}

/**
 * Every way of sending `contract` that its `senders` refuse, among the senders its service consumes
 * (a sender no command of the context lists has no topic the service reads, and the broker lets no
 * principal write one): each unlisted sender with every kind of actor, each listed sender with every
 * kind of actor it may not assert, and each listed service asserting another service's `system:`.
 */
export function forbiddenAttempts(contract: CommandContract, userId: string): SendAttempt[] {
  const attempts: SendAttempt[] = [];
  for (const sender of sendersOfContext(contract.context)) {
    const allowed: readonly ActorKind[] = contract.senders[sender] ?? [];
    for (const kind of ACTOR_KINDS) if (!allowed.includes(kind)) attempts.push({ sender, actor: actorOf(kind, sender, userId) });
    if (allowed.includes('system') && sender !== 'internal')
      attempts.push({ sender, actor: `system:${sender === 'payments' ? 'cards' : 'payments'}` });
  }
  return attempts;
}

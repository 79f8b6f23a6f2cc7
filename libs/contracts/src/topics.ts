import { SENDERS, type Sender } from './command';

/**
 * Topic names. Each context has one event topic, and one command topic per sender that calls it
 * (the topic proves the sender: see `SENDERS`); each command client instance reads its results on
 * a reply topic of its own; operational alerts have one topic for the whole ledger.
 */
export const topics = {
  commandsFrom: (context: string, sender: Sender) => `${context}.commands.from.${sender}`,
  events: (context: string) => `${context}.events`,
  /** The results of one client instance's commands; every reply topic starts with `replies.`. */
  replies: (client: string, instance: string) => `replies.${client}.${instance}`,
  /** Where unparseable, invalid or refused messages from `source` go, with the reason in a header. */
  deadLetters: (source: string) => `${source}.dead-letters`,
  /** Operational alerts: the projector raises and clears a breached invariant here (`ops.InvariantAlert.v1`). */
  alerts: 'ops.alerts',
  /** The copy of each event store's signed checkpoints (keyed by the store), outside the databases they vouch for. */
  checkpoints: 'ops.checkpoints',
} as const;

/** The sender a command topic belongs to (`<context>.commands.from.<sender>`, with any prefix), or undefined. */
export function senderOfCommandTopic(topic: string): Sender | undefined {
  const at = topic.lastIndexOf('.commands.from.');
  if (at < 0) return undefined;
  const sender = topic.slice(at + '.commands.from.'.length);
  return (SENDERS as readonly string[]).includes(sender) ? (sender as Sender) : undefined;
}

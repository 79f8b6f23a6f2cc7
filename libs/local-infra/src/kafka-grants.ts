import { ALL_COMMANDS, EVENT_CONTEXTS, sendersOfContext, topics, type Sender } from '@ledger/contracts';

/**
 * Who may do what on the broker: one table, from which the local broker's ACLs (`startKafka`) and
 * the `kafka-acls.sh` lines for a cluster (`npm run kafka:acls`) are both made, so that the code and
 * a deployment cannot drift apart. Deny by default: a principal may do only what its row grants.
 */
export interface PrincipalRole {
  /** The senders whose command topics it writes (`<context>.commands.from.<sender>`, every context the contracts name for the sender). */
  sendsAs: readonly Sender[];
  /** The context whose commands it handles: it reads their topics, writes their dead letters and answers on any reply topic. */
  handles?: string;
  /** It publishes its context's events (the relay). */
  relays?: boolean;
  /** Other topics it writes (and may create): the projector's operational alerts, each store's signed checkpoints. */
  publishes?: readonly string[];
  /** Other topics it reads, each with a consumer group of its own under `groupPrefix` (the checkpoint copy `verify` reads). */
  reads?: { readonly topics: readonly string[]; readonly groupPrefix: string };
  /** The contexts whose events it follows. */
  follows: readonly string[];
  /** A prefix of topic and group names that are its own (a load generator's scratch topics, an internal system's subscriptions). */
  ownsPrefix?: string;
  /** It may see every topic's metadata and offsets (the load generator counts records). */
  describesAllTopics?: boolean;
  /** It may do anything with every topic and group: the tests, whose topics carry a per-file prefix, play every principal. */
  everything?: boolean;
}

/**
 * The local stack's principals. A service's consumer groups start with `<context>-`, and every
 * client's reply topics and reply groups with `replies.<principal>.` (`KafkaCommandClient` names
 * them after its client name, which is the principal's). `operator` is the operators' tools (the
 * stack's readiness pings, maintenance mode); `bench` stands in for the gateway's users, the
 * counter's teller and an internal system; `risk-engine` is the client library's example of an
 * internal system. `admin` is the broker's own super user and appears in no row.
 */
export const PRINCIPAL_ROLES = {
  identity: { sendsAs: [], handles: 'identity', relays: true, follows: [], publishes: [topics.checkpoints] },
  cards: { sendsAs: ['cards'], handles: 'cards', relays: true, follows: ['wallet'], publishes: [topics.checkpoints] },
  wallet: { sendsAs: [], handles: 'wallet', relays: true, follows: ['identity', 'cards'], publishes: [topics.checkpoints] },
  payments: { sendsAs: ['payments'], handles: 'payments', relays: true, follows: [], publishes: [topics.checkpoints] },
  gateway: { sendsAs: ['gateway'], handles: 'gateway', follows: [] },
  projector: { sendsAs: [], handles: 'projector', follows: [], publishes: [topics.alerts] },
  operator: { sendsAs: ['operator'], follows: [], reads: { topics: [topics.checkpoints], groupPrefix: 'verify-checkpoints-' } },
  bench: { sendsAs: ['gateway', 'internal'], follows: EVENT_CONTEXTS, ownsPrefix: 'bench', describesAllTopics: true },
  'risk-engine': { sendsAs: ['internal'], follows: EVENT_CONTEXTS, ownsPrefix: 'risk-engine' },
  tests: { sendsAs: [], follows: [], everything: true },
} as const satisfies Record<string, PrincipalRole>;

export type Principal = keyof typeof PRINCIPAL_ROLES;
export const KAFKA_PRINCIPALS = Object.keys(PRINCIPAL_ROLES) as Principal[];

export type Operation = 'READ' | 'WRITE' | 'CREATE' | 'DESCRIBE' | 'DELETE' | 'ALL';

/** One ACL: `operations` on the topic or group `name` (exactly, or every name starting with it). */
export interface BusGrant {
  principal: string;
  resource: 'topic' | 'group' | 'cluster';
  pattern: 'literal' | 'prefixed';
  name: string;
  operations: readonly Operation[];
}

/** The contexts whose commands list `sender`, each with the command topic it writes there. */
export function commandTopicsOf(sender: Sender): string[] {
  const contexts = new Set(ALL_COMMANDS.filter((command) => command.senders[sender] !== undefined).map((command) => command.context));
  return [...contexts].sort().map((context) => topics.commandsFrom(context, sender));
}

/** Every ACL of one principal's row. */
export function grantsOf(principal: Principal): BusGrant[] {
  const role: PrincipalRole = PRINCIPAL_ROLES[principal];
  const grant = (resource: BusGrant['resource'], pattern: BusGrant['pattern'], name: string, ...operations: Operation[]): BusGrant => ({
    principal,
    resource,
    pattern,
    name,
    operations,
  });
  const grants: BusGrant[] = [grant('cluster', 'literal', 'kafka-cluster', 'DESCRIBE')];
  if (role.everything) return [...grants, grant('topic', 'literal', '*', 'ALL'), grant('group', 'literal', '*', 'ALL')];
  for (const sender of role.sendsAs)
    for (const topic of commandTopicsOf(sender)) grants.push(grant('topic', 'literal', topic, 'WRITE', 'DESCRIBE', 'CREATE'));
  if (role.sendsAs.length > 0) {
    // Its own reply topics (one per client instance) and the groups that read them.
    grants.push(
      grant('topic', 'prefixed', topics.replies(principal, ''), 'READ', 'DESCRIBE', 'CREATE'),
      grant('group', 'prefixed', topics.replies(principal, ''), 'READ'),
    );
  }
  if (role.handles !== undefined) {
    for (const sender of sendersOfContext(role.handles)) {
      const commands = topics.commandsFrom(role.handles, sender);
      grants.push(
        grant('topic', 'literal', commands, 'READ', 'DESCRIBE', 'CREATE'),
        grant('topic', 'literal', topics.deadLetters(commands), 'WRITE', 'DESCRIBE', 'CREATE'),
      );
    }
    // It answers whoever asked, on the reply topic the command names.
    grants.push(grant('topic', 'prefixed', 'replies.', 'WRITE', 'DESCRIBE'), grant('group', 'prefixed', `${role.handles}-`, 'READ'));
  }
  if (role.relays && role.handles !== undefined)
    grants.push(grant('topic', 'literal', topics.events(role.handles), 'WRITE', 'DESCRIBE', 'CREATE'));
  for (const topic of role.publishes ?? []) grants.push(grant('topic', 'literal', topic, 'WRITE', 'DESCRIBE', 'CREATE'));
  if (role.reads) {
    for (const topic of role.reads.topics) grants.push(grant('topic', 'literal', topic, 'READ', 'DESCRIBE'));
    grants.push(grant('group', 'prefixed', role.reads.groupPrefix, 'READ', 'DELETE'));
  }
  for (const context of role.follows) grants.push(grant('topic', 'literal', topics.events(context), 'READ', 'DESCRIBE', 'CREATE'));
  if (role.ownsPrefix !== undefined)
    grants.push(grant('topic', 'prefixed', role.ownsPrefix, 'ALL'), grant('group', 'prefixed', role.ownsPrefix, 'ALL'));
  if (role.describesAllTopics) grants.push(grant('topic', 'literal', '*', 'DESCRIBE'));
  return grants;
}

/** Every principal's grants. */
export function busGrants(): BusGrant[] {
  return KAFKA_PRINCIPALS.flatMap(grantsOf);
}

/** The `kafka-acls.sh` command that creates one grant on a cluster (`$BOOTSTRAP` and `$ADMIN_CONFIG` set by the operator). */
export function kafkaAclsCommand(grant: BusGrant): string {
  const resource =
    grant.resource === 'cluster'
      ? '--cluster'
      : `--${grant.resource} '${grant.name}'${grant.pattern === 'prefixed' ? ' --resource-pattern-type prefixed' : ''}`;
  const operations = grant.operations
    .map((operation) => `--operation ${operation === 'ALL' ? 'All' : operation[0] + operation.slice(1).toLowerCase()}`)
    .join(' ');
  return `kafka-acls.sh --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal 'User:${grant.principal}' ${operations} ${resource}`;
}

/** The prose of the AsyncAPI document (`info.description` of `docs/asyncapi.yaml`, see `build-asyncapi.ts`): what it covers and how to use it. */
import { TRANSPORT_ERROR } from '../command-result';

export const DESCRIPTION = `The Kafka interface of the ICBC digital wallet ledger (bank side): every topic the services
consume and produce — commands, their results, published events, dead letters and operational alerts — with message keys,
headers and JSON payload schemas. Generated from \`libs/contracts\` (\`npm run asyncapi\`); a test
fails when this file differs from the code, and an end-to-end test validates every message a
representative flow produces against it.

## How to use it

* **Topic names.** Channel addresses are the names without a prefix. A deployment or a test run may
  put a prefix in front of every topic (\`KafkaCommandClient\`'s \`topicPrefix\`, e.g. \`t-abc123.\`).
* **Senders and command topics.** Each sender writes the commands of a context it calls to a topic
  of its own, \`<context>.commands.from.<sender>\`. The senders are \`gateway\` (the HTTP edge),
  \`payments\` and \`cards\` (services calling another context), \`operator\` (the operators' tools)
  and \`internal\` (the bank's other internal systems). Only that sender's broker principals may
  write its topics (ACLs made from the same contracts), so the topic a command arrives on proves
  who sent it; the \`actor\` header only says on whose behalf. Each command's description ends with the senders it lists and
  the actor kinds each may assert (e.g. \`Senders: payments (system).\`), and the channel of a
  sender's topic has exactly the commands that list it. Deny by default: a command whose contract
  does not list the topic's sender, or not with the kind of its actor, is answered \`FORBIDDEN\`
  before any handler runs and nothing is done (it is not dead-lettered). A service asserting
  \`system:\` names itself (\`payments\` asserts \`system:payments\`); only internal systems, which
  share one sender, name themselves freely.
* **Sending a command.** Produce to your sender's topic \`<context>.commands.from.<sender>\` with key
  = the aggregate id (see each message's \`bindings.kafka.key\`), the JSON payload of the message
  whose \`message-type\` header you set, and the headers of the message's \`headers\` schema. Set
  \`reply-to\` to a topic you read (by convention \`replies.<client>.<instance>\`, one per instance,
  read by a consumer group of its own; every reply topic starts with \`replies.\`). In TypeScript
  use \`KafkaCommandClient\` from \`@ledger/messaging\` (its \`sender\` picks the topics) with the
  contract objects of \`@ledger/contracts\`: it does all of this (see docs/asyncapi.md).
* **The result.** Exactly one \`CommandResult\` per command reaches \`reply-to\` (at least once: a
  second copy for the same \`commandId\` can be ignored), key and \`correlation-id\` = the command's
  correlation id, \`causation-id\` = the command id. \`accepted\` carries \`data\`; \`rejected\` carries
  a stable \`code\` (each command lists its codes in \`x-rejects\`; the transport adds
  ${Object.values(TRANSPORT_ERROR)
    .map((code) => `\`${code}\``)
    .join(', ')}).
  Resend with the same \`message-id\` to retry safely: services dedupe by command id and the money
  commands also by their idempotency key (\`paymentId\`, \`holdId\`, \`creditId\`).
* **Events.** \`<context>.events\` carries every event of the context's event store, key = stream
  id, value = the event data, metadata in headers. Delivery is at least once and in order per
  stream: dedupe by \`message-id\` (the event id) or by \`stream\` + \`stream-revision\`. Event data
  objects may gain fields: ignore what you do not know. Types without a listed schema are internal
  steps; do not depend on them.
* **Dead letters.** A message on a command topic that is not a readable, valid command (missing
  header or key, value not a JSON object, payload not matching the schema), names a type the
  service does not handle, or whose handler kept failing is copied unchanged to
  \`<topic>.dead-letters\`, one per sender's topic (\`<context>.commands.from.<sender>.dead-letters\`),
  with \`dead-letter-*\` headers; when it had a readable \`reply-to\`, the sender also gets
  \`INVALID_COMMAND\`, \`UNKNOWN_COMMAND\` or \`PROCESSING_FAILED\` respectively. A command refused with
  \`FORBIDDEN\` is not copied: there is nothing to repair. The consumer carries on.
* **Alerts.** \`ops.alerts\` carries \`ops.InvariantAlert.v1\`: the projector checks the ledger's
  invariants on its read models continuously and publishes one message when a breach starts
  (\`raised\`) and one when it ends (\`cleared\`), key = the alert key \`<invariant>:<subject>\`.
  At least once: dedupe by \`message-id\` (the \`alertId\`).
* **Secrets.** Passwords, SMS and TOTP codes, ID and card numbers, phone numbers and names travel
  only encrypted, bound to associated data \`<context>:<field>\`: sealed by the gateway for the
  receiving service's X25519 public key (\`seal:v1:<kid>:…\`, which the gateway itself cannot
  open), or between the services with their field keyring (\`enc:v1:<kid>:…\`, AES-256-GCM).
* **Money.** Amounts are decimal strings of fen (\`"1250"\` = 12.50 CNY), never JSON numbers.
* **Validating messages.** Every schema here is JSON Schema (draft-07, AsyncAPI's default schema
  format, as produced by TypeBox); \`libs/contracts/src/asyncapi/asyncapi-validator.ts\` validates a Kafka message (key,
  headers, value) against this document with ajv.`;

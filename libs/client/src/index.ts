export * from './lib/accepted-data';
export * from './lib/catalogue';
export * from './lib/command-sender';
export * from './lib/dedupe-window';
export * from './lib/event-subscriber';

// What a program needs besides the client to use it, re-exported so that one built outside this
// monorepo (where `@ledger/contracts` and `@ledger/messaging` are no packages of their own) imports
// everything from `@ledger/client`: the contracts of the commands it sends, and the broker login.
export {
  cardsContract,
  identityContract,
  paymentsContract,
  walletContract,
  TRANSPORT_ERROR,
  type AcceptedOf,
  type AcceptedResult,
  type CommandContract,
  type CommandResult,
  type PayloadOf,
  type RejectedResult,
  type Sender,
} from '@ledger/contracts';
export { brokersFromEnv, createKafka, isUnanswered, kafkaAuthFromEnv, type KafkaAuth, type SendOptions } from '@ledger/messaging/client';

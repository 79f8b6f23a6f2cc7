/**
 * `@ledger/messaging/client`: the part of this library a command client needs (the broker login,
 * the envelope, `KafkaCommandClient`) and nothing of Nest. `@ledger/client` imports this entry, not
 * the library's index, so a program built on the packaged client loads no Nest, rxjs or
 * reflect-metadata, and the package depends on kafkajs and TypeBox alone.
 */
export * from './kafka';
export * from './envelope';
export * from './kafka-command-client';

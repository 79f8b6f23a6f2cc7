export * from './port';
export * from './errors';
export * from './upcasters';
export * from './hash-chain';
export {
  startSubscription,
  readRetryDelayMs,
  Wakeup,
  DEFAULT_MAX_READ_FAILURES,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_SUBSCRIPTION_BATCH,
  followerPacing,
  type SubscriptionSource,
} from './subscription';
export { MAX_STREAM_NAME_LENGTH, assertExpectedRevision, assertNewEvents, assertStreamName, pageSize } from './validation';
export * from './postgres/cursor';
export { PostgresEventStore, type PostgresEventStoreOptions, type PostgresAppendOptions } from './postgres/postgres-event-store';
export { PostgresCheckpointStore } from './postgres/postgres-checkpoint-store';
export { migrate, LATEST_SCHEMA_VERSION } from './postgres/schema';
export { applyMigrations, type Migration, type MigrationSet } from './postgres/migrations';
export { advanceTransactionIds, type TransactionIdAdvance } from './postgres/transaction-ids';
export { KurrentEventStore, type KurrentEventStoreOptions } from './kurrent/kurrent-event-store';
export { encodeKurrentCursor, decodeKurrentCursor } from './kurrent/kurrent-cursor';
export { categoryRegex, HASH_METADATA_KEY, CHECKPOINT_STREAM_PREFIX } from './kurrent/kurrent-mapping';
export { createEventStore, adapterFor, type CreateEventStoreOptions, type EventStoreAdapter } from './factory';
export { EventRelay, eventToMessage, type EventRelayOptions } from './relay/event-relay';
export { DatabaseReadiness, isPostgresUrl } from './nest/database-health';
export { RecentEventIds, ProcessedEvents, PRUNE_BATCH_ROWS } from './relay/dedupe';
export * from './checkpoints';
export {
  EventStoreModule,
  EVENT_STORE,
  EVENT_CHECKPOINTER,
  type EventStoreModuleOptions,
  type EventStoreCheckpointOptions,
  type RunningCheckpoints,
} from './nest/event-store.module';
export {
  DeciderHandler,
  ConcurrencyRetriesExhausted,
  commandMetadata,
  eventIdFor,
  type CommandMetadata,
  type EventCodec,
  type DecisionOutcome,
  type DeciderHandlerOptions,
} from './decider/decider-handler';
export {
  inTransaction,
  inTransactionUnderLock,
  startTransactionalProjection,
  type TransactionalProjectionOptions,
} from './projection/transactional-projection';

export {
  Checkpointer,
  CheckpointRefused,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_MAX_EVENTS_PER_CHECKPOINT,
  type CheckpointerOptions,
  type CheckpointPublisher,
  type CheckpointRun,
  type CheckpointSession,
  type CheckpointSource,
} from './checkpointer';
export * from './checkpoint-keys';
export {
  checkpointConfigFromEnv,
  checkpointIntervalFromEnv,
  CHECKPOINT_INTERVAL_VARIABLE,
  CHECKPOINT_TOPIC_VARIABLE,
  type CheckpointConfig,
} from './checkpoint-config';
export { MerkleAccumulator, MerkleOrderError, merkleRoot, compareStreamIds, type StreamHead } from './merkle';
export {
  checkCheckpoint,
  signCheckpoint,
  GENESIS_CHECKPOINT_HASH,
  type CheckpointBody,
  type CheckpointLogHead,
  type CheckpointRecord,
  type SignedCheckpoint,
} from './signed-checkpoint';
export { auditStore, DEFAULT_MAX_FINDINGS, type AuditOptions, type AuditReport, type Finding, type FindingKind } from './audit';
export { KafkaCheckpointPublisher, readCheckpointCopies, type ReadCopiesOptions } from './kafka-copy';

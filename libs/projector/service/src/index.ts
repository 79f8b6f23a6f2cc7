/** The projector as the app (`apps/projector`) runs it, and the replay, export and check tools its command line offers. */
export { PROJECTOR_CONTEXT, projectorModule } from './projector.module';
export { Projector } from './projector-runtime';
export * from './projections';
export { openAnalytics } from './db/data-source';
export { REPLAY_PAGE, checksum, dropTables, rebuild, rebuildAll, verify, type RebuildResult } from './engine/rebuild';
export { formatProgress, type Progress } from './engine/progress';
export { funnelByUser, funnelSummary } from './funnel';
export { checkInvariants, formatInvariants } from './invariants';
export { checkReplaySample, formatReplaySample, type ReplaySampleReport } from './engine/replay-sample';
export { cursorOrderFor } from './engine/cursor-order';
export { InvariantMonitor } from './alerts/invariant-monitor';
export { monitorSettingsFromEnv, type MonitorSettings } from './alerts/monitor-settings';
export { parseRule, whatIf } from './what-if';
export { walletAsOf } from './time-travel';
export { exportCsv } from './export-csv';

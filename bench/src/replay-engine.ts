/**
 * The projector's replay engine and read models, as the replay benchmark and its traffic generator
 * use them: through the projector service's public entries, gathered here in one place.
 */
export {
  openAnalytics,
  checksum,
  dropTables,
  REPLAY_PAGE,
  rebuild,
  rebuildAll,
  type RebuildResult,
  formatProgress,
  type Progress,
  PROJECTIONS,
  type Projection,
  funnelSummary,
  checkInvariants,
} from '@ledger/projector-service';
// The generator stores events exactly as the projector's test traffic does (same codecs) and decides the same registration and card commands.
export { paymentCodec, walletCodec, asIs, bindCardCommand, registerUserCommand, riskAlertCommand } from '@ledger/projector-service/testing';

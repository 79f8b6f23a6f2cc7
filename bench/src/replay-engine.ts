/**
 * The projector's replay engine and read models, as the replay benchmark and its traffic generator
 * use them. They live in the projector app (`apps/projector`), which no library path names, so the
 * benchmark reaches into it here, in one place.
 */
// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark measures the projector app's own replay engine
export { openAnalytics } from '../../apps/projector/src/db/data-source';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark measures the projector app's own replay engine
export { checksum, dropTables, REPLAY_PAGE, rebuild, rebuildAll, type RebuildResult } from '../../apps/projector/src/engine/rebuild';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark measures the projector app's own replay engine
export { formatProgress, type Progress } from '../../apps/projector/src/engine/progress';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark measures the projector app's own replay engine
export { PROJECTIONS, type Projection } from '../../apps/projector/src/projections';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the generator's test checks the read models the projector builds
export { funnelSummary } from '../../apps/projector/src/funnel';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the generator's test checks the read models the projector builds
export { checkInvariants } from '../../apps/projector/src/invariants';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the generator stores events exactly as the projector's test traffic does (same codecs)
export { paymentCodec, walletCodec } from '../../apps/projector/src/testing/traffic';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the generator decides the same registration and card commands as the projector's test traffic
export { asIs, bindCardCommand, registerUserCommand, riskAlertCommand } from '../../apps/projector/src/testing/people';

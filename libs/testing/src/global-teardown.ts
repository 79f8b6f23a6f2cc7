import type { InfraHandles } from './global-setup';

/** Stops whatever the global setup started (in reverse order); external services are left alone. */
export default async function globalTeardown(): Promise<void> {
  const state = globalThis as { __ledgerInfra?: InfraHandles };
  const handles = state.__ledgerInfra;
  if (!handles) return;
  delete state.__ledgerInfra;
  for (const stop of handles.stops.reverse()) await stop();
}

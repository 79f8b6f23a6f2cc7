/**
 * The replay progress line: events so far, events/s, and an ETA from how far the last event's
 * store position is from the head position (the store's last position when the replay started).
 * Positions count every event of the store, so for a projection that reads one category the
 * fraction is an estimate that assumes its events are spread evenly over the store.
 */
export interface Progress {
  events: number;
  elapsedMs: number;
  eventsPerSecond: number;
  /** Store position of the last event applied (0n before the first). */
  position: bigint;
  /** The store's last position when the replay started; unknown for stores that cannot tell. */
  headPosition?: bigint;
}

/** Seconds left, from the pace of positions so far; undefined until there is a pace to go by. */
export function etaSeconds(progress: Progress): number | undefined {
  const { position, headPosition, elapsedMs } = progress;
  if (headPosition === undefined || position <= 0n || elapsedMs <= 0) return undefined;
  if (position >= headPosition) return 0;
  // Positions are below 2^53 for any store this runs on; the ratio needs no more precision.
  return (Number(headPosition - position) * elapsedMs) / Number(position) / 1000;
}

/** `h:mm:ss` or `m:ss`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function formatProgress(name: string, progress: Progress): string {
  const rate = `${Math.round(progress.eventsPerSecond).toLocaleString('en-US')} events/s`;
  const eta = etaSeconds(progress);
  const ahead =
    eta === undefined || progress.headPosition === undefined || progress.headPosition <= 0n
      ? 'ETA --:--'
      : `${Number((progress.position * 100n) / progress.headPosition)}% of head, ETA ${formatDuration(eta)}`;
  return `${name}: ${progress.events.toLocaleString('en-US')} events, ${rate}, ${ahead}, ${(progress.elapsedMs / 1000).toFixed(1)} s`;
}

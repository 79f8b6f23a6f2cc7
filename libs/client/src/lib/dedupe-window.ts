/**
 * The ids of the last `capacity` events a subscriber handled, oldest forgotten first. An id is
 * remembered only once its handler succeeded, so a failed event is handed again when it comes back.
 * It lives in memory: a restarted subscriber starts with an empty window.
 */
export class DedupeWindow {
  private readonly ids = new Set<string>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('the dedupe window must hold at least one event id');
  }

  has(eventId: string): boolean {
    return this.ids.has(eventId);
  }

  remember(eventId: string): void {
    this.ids.add(eventId);
    if (this.ids.size > this.capacity) {
      // A Set iterates in insertion order: the first entry is the oldest.
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }
}

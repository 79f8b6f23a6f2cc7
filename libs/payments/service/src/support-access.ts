/**
 * The support-access audit (docs/spec.md item 21): every look-up of a user's transactions by a support agent
 * (`support:<agentId>` running ListUserPayments or GetPayment) is recorded as
 * `payments.SupportAccessRecorded.v1` on the user's stream `supportaudit-<userId>` (event store
 * schema `payments`, category `supportaudit`) BEFORE it is answered; when the record cannot be
 * written the look-up is refused (no unaudited access). The user reads the entries with
 * `payments.ListSupportAccess.v1`, newest first, in bounded pages.
 *
 * The event id is derived from the command id, so a redelivered command records its access once.
 * The stream is append-only with `expectedRevision: 'any'`: concurrent look-ups never contend.
 */
import { actorIdOf, paymentsContract } from '@ledger/contracts';
import { eventIdFor, type EventData, type EventStore } from '@ledger/event-store';
import { InvalidPageCursor } from '@ledger/util';

type SupportAccessRecorded = paymentsContract.SupportAccessRecorded;
const { SUPPORT_ACCESS_RECORDED, SUPPORT_AUDIT_CATEGORY, supportAuditStreamOf } = paymentsContract;
export { SUPPORT_AUDIT_CATEGORY, supportAuditStreamOf };

export const AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE';
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** `support:<agentId>` → agentId; anything else → undefined (not audited as support). */
export const supportAgentOf = (actor: string): string | undefined => actorIdOf(actor, 'support');

export type Viewed = SupportAccessRecorded['viewed'];

export interface SupportAccessPage {
  userId: string;
  entries: SupportAccessRecorded[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

export class SupportAccessAudit {
  constructor(private readonly store: EventStore) {}

  /** Records the access; throws when it cannot (the caller refuses the look-up). */
  async record(
    access: { agentId: string; userId: string; viewed: Viewed; at: string },
    metadata: { commandId: string; correlationId: string; actor: string },
  ): Promise<void> {
    const stream = supportAuditStreamOf(access.userId);
    const data: SupportAccessRecorded = { agentId: access.agentId, userId: access.userId, viewed: access.viewed, at: access.at };
    await this.store.append(
      stream,
      [
        {
          id: eventIdFor(`supportaudit:${metadata.commandId}`, stream, 0),
          type: SUPPORT_ACCESS_RECORDED,
          data: data as unknown as EventData,
          metadata: {
            correlationId: metadata.correlationId,
            causationId: metadata.commandId,
            actor: metadata.actor,
            occurredAt: access.at,
            schemaVersion: 1,
          },
        },
      ],
      { expectedRevision: 'any' },
    );
  }

  /** Newest first; `before` is the `nextCursor` of the previous page. Throws InvalidPageCursor on a malformed cursor. */
  async list(userId: string, limit = DEFAULT_PAGE_SIZE, before?: string): Promise<SupportAccessPage> {
    const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.trunc(limit)));
    let from: bigint | undefined;
    if (before !== undefined) {
      const revision = decodeCursor(before);
      if (revision === 0n) return { userId, entries: [] };
      from = revision - 1n;
    }
    const events = await this.store.readStream(supportAuditStreamOf(userId), {
      direction: 'backwards',
      limit: pageSize + 1,
      ...(from === undefined ? {} : { from }),
    });
    const recorded = events.filter((event) => event.type === SUPPORT_ACCESS_RECORDED);
    const page = recorded.slice(0, pageSize);
    const last = page[page.length - 1];
    const entries = page.map((event) => event.data as unknown as SupportAccessRecorded);
    return events.length > pageSize && last ? { userId, entries, nextCursor: encodeCursor(last.revision) } : { userId, entries };
  }
}

function encodeCursor(revision: bigint): string {
  return Buffer.from(`r:${revision.toString()}`).toString('base64url');
}

function decodeCursor(cursor: string): bigint {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^r:(\d{1,18})$/.exec(decoded);
  if (!match?.[1]) throw new InvalidPageCursor();
  return BigInt(match[1]);
}

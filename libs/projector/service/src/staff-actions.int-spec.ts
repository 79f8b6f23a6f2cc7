import { randomUUID } from 'node:crypto';
import { createEventStore, type EventStore } from '@ledger/event-store';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { InvalidPageCursor } from '@ledger/util';
import { checksum, dropTables, rebuild, verify } from './engine/rebuild';
import { Projector } from './projector-runtime';
import { identityStaffActionsProjection, paymentsStaffActionsProjection } from './projections';
import { listStaffActions } from './staff-actions.controller';
import { projectionsCaughtUp } from './testing/visibility';

jest.setTimeout(180_000);

let db: TestDatabase;
const stores: Record<'identity' | 'payments', EventStore> = {} as never;
let projector: Projector;

/** One event on `stream` as a service records it: the actor and the instant in its metadata. */
async function recorded(
  store: EventStore,
  stream: string,
  type: string,
  actor: string,
  occurredAt: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  const metadata = {
    correlationId: stream,
    causationId: stream,
    commandId: `cmd-${type}-${occurredAt}`,
    actor,
    occurredAt,
    schemaVersion: 1,
  };
  await store.append(stream, [{ id: randomUUID(), type, data, metadata }], { expectedRevision: 'any' });
}

beforeAll(async () => {
  db = await createTestDatabase('projector_staff_actions');
  for (const schema of ['identity', 'payments'] as const) {
    stores[schema] = createEventStore(db.url, { schema, poolSize: 2 });
    await stores[schema].init();
  }
  const { identity, payments } = stores;
  await recorded(identity, 'staff-agent-7', 'identity.StaffLoginFailed.v1', 'anonymous', '2026-12-07T09:00:00.000Z', {
    agentId: 'agent-7',
    reason: 'password',
    failuresInWindow: 1,
    at: '2026-12-07T09:00:00.000Z',
  });
  await recorded(identity, 'staff-agent-7', 'identity.StaffLoggedIn.v1', 'anonymous', '2026-12-07T09:01:00.000Z', {
    agentId: 'agent-7',
    role: 'support',
    codeTimeStep: 1,
    at: '2026-12-07T09:01:00.000Z',
  });
  await recorded(identity, 'user-u1', 'identity.AccountFrozen.v1', 'support:agent-7', '2026-12-07T09:02:00.000Z', {
    userId: 'u1',
    reason: 'lost phone',
  });
  // One decision's two events at one instant: the failure that locks, then the lock.
  await recorded(identity, 'staff-agent-9', 'identity.StaffLoginFailed.v1', 'anonymous', '2026-12-07T09:02:30.000Z', {
    agentId: 'agent-9',
    reason: 'password',
    failuresInWindow: 5,
  });
  await recorded(identity, 'staff-agent-9', 'identity.StaffLoginLocked.v1', 'anonymous', '2026-12-07T09:02:30.000Z', {
    agentId: 'agent-9',
    lockedUntil: '2026-12-07T09:32:30.000Z',
  });
  // The user's own actions and the services' are nobody's of the staff.
  await recorded(identity, 'user-u1', 'identity.LoggedIn.v1', 'user:u1', '2026-12-07T09:03:00.000Z', { userId: 'u1' });
  await recorded(payments, 'supportaudit-u1', 'payments.SupportAccessRecorded.v1', 'support:agent-7', '2026-12-07T09:04:00.000Z', {
    agentId: 'agent-7',
    userId: 'u1',
  });
  await recorded(payments, 'payment-p1', 'payments.PaymentInitiated.v1', 'teller:teller-3', '2026-12-07T09:05:00.000Z', {
    request: { kind: 'counter', userId: 'u1' },
  });
  await recorded(payments, 'payment-p1', 'payments.CounterTopUpApproved.v1', 'supervisor:super-1', '2026-12-07T09:06:00.000Z', {
    paymentId: 'p1',
    supervisorId: 'super-1',
  });
  await recorded(payments, 'payment-p1', 'payments.PaymentCompleted.v1', 'system:payments', '2026-12-07T09:07:00.000Z', {
    paymentId: 'p1',
  });
  // Only the trail's projections: the events planted here are not whole payments or users.
  projector = new Projector({
    databaseUrl: db.url,
    pollIntervalMs: 20,
    batchSize: 3,
    projections: [identityStaffActionsProjection, paymentsStaffActionsProjection],
  });
  await projector.start();
  await projectionsCaughtUp(projector, db.url, [identityStaffActionsProjection, paymentsStaffActionsProjection]);
});

afterAll(async () => {
  await projector?.stop();
  for (const store of Object.values(stores)) await store.close();
  await db?.drop();
});

describe('staff actions (the supervisors’ trail)', () => {
  it("lists one agent's actions and logins across identity and payments, newest first, and nothing of users or services", async () => {
    const page = await listStaffActions(projector.dataSource!, 'agent-7');
    expect(page).toEqual({
      agentId: 'agent-7',
      actions: [
        {
          action: 'payments.SupportAccessRecorded.v1',
          role: 'support',
          stream: 'supportaudit-u1',
          subjectUserId: 'u1',
          occurredAt: '2026-12-07T09:04:00.000Z',
          commandId: expect.any(String),
        },
        {
          action: 'identity.AccountFrozen.v1',
          role: 'support',
          stream: 'user-u1',
          subjectUserId: 'u1',
          occurredAt: '2026-12-07T09:02:00.000Z',
          commandId: expect.any(String),
        },
        {
          action: 'identity.StaffLoggedIn.v1',
          role: 'login',
          stream: 'staff-agent-7',
          occurredAt: '2026-12-07T09:01:00.000Z',
          commandId: expect.any(String),
        },
        {
          action: 'identity.StaffLoginFailed.v1',
          role: 'login',
          stream: 'staff-agent-7',
          occurredAt: '2026-12-07T09:00:00.000Z',
          commandId: expect.any(String),
        },
      ],
    });
    expect((await listStaffActions(projector.dataSource!, 'teller-3')).actions).toEqual([
      expect.objectContaining({ action: 'payments.PaymentInitiated.v1', role: 'teller', stream: 'payment-p1' }),
    ]);
    expect((await listStaffActions(projector.dataSource!, 'super-1')).actions).toEqual([
      expect.objectContaining({ action: 'payments.CounterTopUpApproved.v1', role: 'supervisor' }),
    ]);
    expect((await listStaffActions(projector.dataSource!, 'u1')).actions).toEqual([]);
    // At one instant, the later event of the store first: the lock, then the failure that caused it.
    expect((await listStaffActions(projector.dataSource!, 'agent-9')).actions.map((action) => action.action)).toEqual([
      'identity.StaffLoginLocked.v1',
      'identity.StaffLoginFailed.v1',
    ]);
  });

  it('pages with the cursor of the previous page, and refuses a cursor it did not make', async () => {
    const first = await listStaffActions(projector.dataSource!, 'agent-7', 3);
    expect(first.actions.map((action) => action.occurredAt)).toEqual([
      '2026-12-07T09:04:00.000Z',
      '2026-12-07T09:02:00.000Z',
      '2026-12-07T09:01:00.000Z',
    ]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listStaffActions(projector.dataSource!, 'agent-7', 3, first.nextCursor);
    expect(second).toEqual({ agentId: 'agent-7', actions: [expect.objectContaining({ action: 'identity.StaffLoginFailed.v1' })] });
    await expect(listStaffActions(projector.dataSource!, 'agent-7', 3, 'not-a-cursor')).rejects.toThrow(InvalidPageCursor);
  });

  it('is a function of the events only: a rebuild from position zero gives the live checksum (verify)', async () => {
    for (const projection of [identityStaffActionsProjection, paymentsStaffActionsProjection]) {
      const store = projector.storeFor(projection.source);
      const rebuilt = await rebuild(projector.dataSource!, store, projection);
      const fromZero = await checksum(projector.dataSource!, projection, rebuilt.tables);
      expect(fromZero.checksum).toBe((await checksum(projector.dataSource!, projection)).checksum);
      expect(fromZero.tables.every((table) => table.rows > 0)).toBe(true);
      await dropTables(projector.dataSource!, rebuilt.tables);
      expect((await verify(projector.dataSource!, store, projection)).ok).toBe(true);
    }
  });
});

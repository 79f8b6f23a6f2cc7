import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { paymentsContract, type CommandResult } from '@ledger/contracts';
import { PaymentsHarness, type Payer, TEST_DEVICE } from '../harness/payments-harness';
import { supportAuditStreamOf, type SupportAccessPage } from '@ledger/payments-service/testing';

jest.setTimeout(180_000);

type Accepted = Extract<CommandResult, { status: 'accepted' }>;

/**
 * docs/spec.md item 21: every support look-up of a user's transactions is audited before it is answered, over
 * the real broker and store (identity and wallet real, in this process).
 */
describe("support access to a user's transactions is audited", () => {
  let h: PaymentsHarness;
  let payer: Payer;
  let paymentId: string;

  beforeAll(async () => {
    h = await PaymentsHarness.start('pay_support_audit');
    payer = await h.payer('10000');
    paymentId = randomUUID();
    const paid = await h.send(
      paymentsContract.payMerchant,
      {
        paymentId,
        userId: payer.userId,
        walletId: payer.walletId,
        merchantId: 'm-canteen',
        channel: 'qr',
        amountMinor: '100',
        deviceId: TEST_DEVICE,
        paymentPassword: h.password(),
      },
      paymentId,
      `user:${payer.userId}`,
    );
    expect(paid).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  const auditOf = (userId: string) => h.paymentsStore.readStream(supportAuditStreamOf(userId));
  const accessOf = (actor: string, payload: { limit?: number; before?: string } = {}, userId = payer.userId) =>
    h.send(paymentsContract.listSupportAccess, { userId, ...payload }, userId, actor);
  const pageOf = (result: CommandResult) => (result as Accepted).data as unknown as SupportAccessPage;

  it('a user looking at their own transactions leaves no audit entry', async () => {
    expect(await h.send(paymentsContract.listUserPayments, { userId: payer.userId }, payer.userId, `user:${payer.userId}`)).toMatchObject({
      status: 'accepted',
    });
    expect(await h.send(paymentsContract.getPayment, { paymentId }, paymentId, `user:${payer.userId}`)).toMatchObject({
      status: 'accepted',
    });
    expect(await auditOf(payer.userId)).toHaveLength(0);
    expect(pageOf(await accessOf(`user:${payer.userId}`)).entries).toEqual([]);
  });

  it('a support look-up leaves exactly one audit entry naming the agent, recorded before the answer; the user and support read it newest first', async () => {
    expect(
      await h.send(paymentsContract.listUserPayments, { userId: payer.userId, limit: 5 }, payer.userId, 'support:agent-7'),
    ).toMatchObject({ status: 'accepted' });
    const afterList = await auditOf(payer.userId);
    expect(afterList).toHaveLength(1);
    expect(afterList[0]).toMatchObject({
      type: 'payments.SupportAccessRecorded.v1',
      data: { agentId: 'agent-7', userId: payer.userId, viewed: { kind: 'list', limit: 5 } },
      metadata: { actor: 'support:agent-7' },
    });

    expect(await h.send(paymentsContract.getPayment, { paymentId }, paymentId, 'support:agent-9')).toMatchObject({
      status: 'accepted',
      data: { paymentId },
    });
    const afterGet = await auditOf(payer.userId);
    expect(afterGet).toHaveLength(2);
    expect(afterGet[1]).toMatchObject({ data: { agentId: 'agent-9', userId: payer.userId, viewed: { kind: 'payment', paymentId } } });

    const seen = pageOf(await accessOf(`user:${payer.userId}`));
    expect(seen.entries.map((entry) => entry.agentId)).toEqual(['agent-9', 'agent-7']);
    expect(seen.nextCursor).toBeUndefined();
    expect(Date.parse(seen.entries[0]?.at ?? '')).not.toBeNaN();

    // Bounded pages. Reading the audit trail is not itself a look-up at transactions: not audited.
    const first = pageOf(await accessOf('support:agent-7', { limit: 1 }));
    expect(first.entries.map((entry) => entry.agentId)).toEqual(['agent-9']);
    expect(first.nextCursor).toBeDefined();
    const second = pageOf(await accessOf(`user:${payer.userId}`, { limit: 1, before: first.nextCursor }));
    expect(second.entries.map((entry) => entry.agentId)).toEqual(['agent-7']);
    expect(second.nextCursor).toBeUndefined();
    expect(await auditOf(payer.userId)).toHaveLength(2);
  });

  it('ListSupportAccess: only the user themself or support; a malformed cursor is INVALID_COMMAND', async () => {
    expect(await accessOf('user:someone-else')).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
    expect(await accessOf('system:gateway')).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
    expect(await accessOf('support:agent-1')).toMatchObject({ status: 'accepted' });
    expect(await accessOf(`user:${payer.userId}`, { before: 'not-a-cursor' })).toMatchObject({
      status: 'rejected',
      code: 'INVALID_COMMAND',
    });
  });

  it('refuses the look-up when the access cannot be recorded (no unaudited access)', async () => {
    const record = jest.spyOn(h.runtime.supportAccess, 'record').mockRejectedValueOnce(new Error('store down'));
    try {
      const before = (await auditOf(payer.userId)).length;
      expect(await h.send(paymentsContract.listUserPayments, { userId: payer.userId }, payer.userId, 'support:agent-7')).toMatchObject({
        status: 'rejected',
        code: 'AUDIT_UNAVAILABLE',
      });
      expect(await auditOf(payer.userId)).toHaveLength(before);
    } finally {
      record.mockRestore();
    }
  });
});

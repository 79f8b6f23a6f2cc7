import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { paymentsContract } from '@ledger/contracts';
import { scanDatabase, scanKafkaLogs } from '@ledger/testing';
import { Projector, PROJECTIONS, type Projection } from '@ledger/projector-service';
import { projectionsCaughtUp } from '@ledger/projector-service/testing';
import { PaymentsHarness, TEST_DEVICE, type Payer } from '../harness/payments-harness';

jest.setTimeout(180_000);

/**
 * Phone numbers are personal data: across identity, cards, wallet and payments (each with its own
 * database) and on every topic they write, a payer's and a recipient's number are kept and sent
 * only encrypted, masked or as keyed fingerprints. Two users register, one transfers to the other
 * by phone and tops up her own mobile (the bill's reference is her number), the analysts' projector
 * builds its read models from each service's store (schema `analytics` beside it), and every table of the four databases and every file of the broker's log directory are
 * searched for both numbers; a marker in the transfer's description proves each scan can see.
 */
describe('no phone number in plain text in any service database or topic', () => {
  let h: PaymentsHarness;
  let alice: Payer;
  let bob: Payer;
  const marker = `SCAN-MARKER-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    h = await PaymentsHarness.start('pay_pii', {}, true);
    alice = await h.payer('10000');
    bob = await h.payer('100');
    const paymentId = randomUUID();
    const transfer = await h.send(
      paymentsContract.transfer,
      {
        paymentId,
        userId: alice.userId,
        walletId: alice.walletId,
        recipientPhone: h.recipientPhone(bob.phone),
        amountMinor: '700',
        description: marker,
        deviceId: TEST_DEVICE,
        paymentPassword: h.password(),
      },
      paymentId,
      `user:${alice.userId}`,
    );
    expect(transfer).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    // A mobile bill's reference is the phone number it tops up: Alice tops up her own.
    const billId = randomUUID();
    const bill = await h.send(
      paymentsContract.payBill,
      {
        paymentId: billId,
        userId: alice.userId,
        walletId: alice.walletId,
        billerId: 'b-mobile',
        billReference: h.billReference(alice.phone),
        amountMinor: '500',
        deviceId: TEST_DEVICE,
        paymentPassword: h.password(),
      },
      billId,
      `user:${alice.userId}`,
    );
    expect(bill).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  const phones = () => ({ payerPhone: alice.phone, recipientPhone: bob.phone });

  it("finds neither number in any table of the identity, cards, wallet or payments database, the analysts' read models included", async () => {
    // Each service's store has a database of its own here: one projector per store, its read models beside it.
    const sources: Array<[Projection['source'], string]> = [
      ['identity', h.identity.db.url],
      ['cards', h.cards!.db.url],
      ['wallet', h.walletDb.url],
      ['payments', h.paymentsDb.url],
    ];
    const rowsProjected: Record<string, number> = {};
    for (const [source, url] of sources) {
      const projections = PROJECTIONS.filter((projection) => projection.source === source);
      const projector = new Projector({ databaseUrl: url, projections, pollIntervalMs: 50 });
      await projector.start();
      try {
        await projectionsCaughtUp(projector, url, projections);
        rowsProjected[source] = 0;
        for (const table of projections.flatMap((projection) => projection.tables)) {
          const [row] = await projector.dataSource!.query(`SELECT count(*)::int AS n FROM analytics.${table.name}`);
          rowsProjected[source] += Number(row.n);
        }
      } finally {
        await projector.stop();
      }
    }
    // The read models hold this test's users, wallets and payments (no card is bound here): the scan below looks at filled tables.
    expect(rowsProjected).toEqual({ identity: expect.any(Number), cards: 0, wallet: expect.any(Number), payments: expect.any(Number) });
    for (const source of ['identity', 'wallet', 'payments'])
      expect({ source, rows: rowsProjected[source]! > 0 }).toEqual({ source, rows: true });
    const databases = { identity: h.identity.db.url, cards: h.cards!.db.url, wallet: h.walletDb.url, payments: h.paymentsDb.url };
    const found: Record<string, string[]> = {};
    for (const [name, url] of Object.entries(databases)) found[name] = (await scanDatabase(url, { ...phones(), marker })).found;
    expect(found).toEqual({ identity: [], cards: [], wallet: [], payments: ['marker'] });
  });

  const kafkaDir = process.env.LEDGER_TEST_KAFKA_DATA_DIR;
  (kafkaDir ? it : it.skip)(
    "finds neither number in the broker's log directory (commands, results, events, dead letters of every topic)",
    async () => {
      const scan = await scanKafkaLogs(kafkaDir!, { ...phones(), marker });
      expect(scan.found).toEqual(['marker']);
    },
  );
});

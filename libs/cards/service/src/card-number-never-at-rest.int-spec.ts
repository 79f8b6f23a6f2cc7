import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { HEADER, cardsContract as cards } from '@ledger/contracts';
import { LUHN_INVALID_CARD_NUMBER, TEST_CARDS, UNKNOWN_ICBC_CARD_NUMBER } from '@ledger/util/testing';
import { headerValue, producerDefaults } from '@ledger/messaging';
import { TopicRecorder, needlesIn, scanDatabase, scanKafkaLogs, testKafka, uniqueSuffix } from '@ledger/testing';
import { Client } from 'pg';
import { expectAccepted, expectRejected, newUserId, startCardsHarness, type CardsHarness } from './testing/cards-harness';

jest.setTimeout(180_000);

/** Every test card number as typed (no spaces) and as printed (groups of four). */
const NUMBERS = [...Object.values(TEST_CARDS).map((card) => card.number), LUHN_INVALID_CARD_NUMBER, UNKNOWN_ICBC_CARD_NUMBER];
const NUMBER_NEEDLES = NUMBERS.flatMap((number) => [number, number.replace(/(\d{4})(?=\d)/g, '$1 ')]);
/** The reserved phones too: like the numbers, they travel encrypted and are kept nowhere. */
const NEEDLES = [...NUMBER_NEEDLES, ...new Set(Object.values(TEST_CARDS).map((card) => card.reservedPhone))];
const named = (needles: readonly string[]) => Object.fromEntries(needles.map((needle) => [needle, needle]));

/**
 * "No full card number at rest" (no secret ever at rest in plain text): cards are bound and
 * refused through the real flow over Kafka, then the broker's log directory, every table of the
 * service's database and everything the service logged are searched for the actual numbers, with
 * and without spaces. A planted marker in each place proves the scan would have found them.
 */
describe('the full card number is never at rest', () => {
  let h: CardsHarness;
  let events: TopicRecorder;
  const captured: string[] = [];
  const originalStdout = process.stdout.write.bind(process.stdout);
  const originalStderr = process.stderr.write.bind(process.stderr);
  const marker = `PLANTED-MARKER-${uniqueSuffix()}`;

  beforeAll(async () => {
    // Everything written to stdout/stderr (Nest's logger, KafkaJS's log lines) is kept for the scan.
    const tee = (original: typeof process.stdout.write) =>
      ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stdout.write;
    process.stdout.write = tee(originalStdout);
    process.stderr.write = tee(originalStderr);

    h = await startCardsHarness('cards_at_rest', { logger: ['log', 'warn', 'error', 'debug', 'verbose'] });
    events = await new TopicRecorder(testKafka('cards-at-rest-events'), [h.eventsTopic]).start();

    const user = newUserId();
    const stranger = newUserId();
    const first = expectAccepted(await h.bind(user, TEST_CARDS.zhangSanDebit));
    expectAccepted(await h.bind(user, TEST_CARDS.zhangSanSecond));
    expectAccepted(await h.bind(user, TEST_CARDS.zhangSanCredit));
    expectRejected(await h.bind(user, TEST_CARDS.zhangSanDebit), 'CARD_ALREADY_BOUND');
    expectRejected(await h.bind(stranger, TEST_CARDS.zhangSanDebit), 'CARD_BOUND_TO_ANOTHER_USER');
    expectRejected(await h.bind(stranger, TEST_CARDS.nonIcbc), 'CARD_NOT_SUPPORTED');
    expectRejected(await h.bind(stranger, TEST_CARDS.expired), 'CARD_EXPIRED');
    expectRejected(await h.bind(stranger, TEST_CARDS.blocked), 'CARD_BLOCKED');
    expectRejected(await h.bind(stranger, TEST_CARDS.liSi, { holderName: '王五' }), 'CARD_HOLDER_MISMATCH');
    expectRejected(await h.bind(stranger, { ...TEST_CARDS.zhangSanDebit, number: LUHN_INVALID_CARD_NUMBER }), 'INVALID_CARD_NUMBER');
    expectRejected(await h.bind(stranger, { ...TEST_CARDS.zhangSanDebit, number: UNKNOWN_ICBC_CARD_NUMBER }), 'INVALID_CARD_NUMBER');
    h.issuer.setCardStatus(TEST_CARDS.zhangSanCredit.cardToken, 'blocked');
    const listed = await h.list(user, (list) => list.length === 3);
    expectRejected(await h.send(cards.checkCard, { userId: user, cardId: listed[2]!.cardId }, 'system:payments'), 'CARD_BLOCKED');
    await h.list(user, (list) => list[2]?.status === 'suspended');
    // Wait until the relay has published (so the broker's files hold the events).
    await events.waitFor((m) => headerValue(m.message.headers, HEADER.messageType) === cards.EVENT_TYPES.CardSuspended);
    expect(events.messages.some((m) => m.message.value!.toString().includes(String(first['cardId'])))).toBe(true);

    // The planted markers: one in the broker, one in a table, one in the log.
    const producer = testKafka('cards-at-rest-marker').producer(producerDefaults);
    await producer.connect();
    await producer.send({
      topic: `${h.topicPrefix}scan-marker`,
      acks: -1,
      messages: [{ key: 'marker', value: JSON.stringify({ note: marker }) }],
    });
    await producer.disconnect();
    const client = new Client({ connectionString: h.db.url });
    await client.connect();
    await client.query('CREATE SCHEMA scan_marker');
    await client.query('CREATE TABLE scan_marker.planted (note text)');
    await client.query('INSERT INTO scan_marker.planted VALUES ($1)', [marker]);
    await client.end();
    new Logger('scan-test').log(`planted ${marker}`);
  });

  afterAll(async () => {
    process.stdout.write = originalStdout;
    process.stderr.write = originalStderr;
    await events?.stop();
    await h?.stop();
  });

  it('is in no table of the service database (every row of every non-system schema)', async () => {
    const scan = await scanDatabase(h.db.url, named([...NEEDLES, marker]));
    expect(scan.rows).toBeGreaterThan(10);
    expect(scan.hits).toEqual([`scan_marker.planted: ${marker}`]);
  });

  it('is in nothing the service logged', () => {
    const log = captured.join('');
    expect(log).toContain('cards.BindCard.v1'); // the service did log its commands
    expect(log).toContain(marker);
    expect(needlesIn(log, named(NEEDLES))).toEqual([]);
  });

  const kafkaDir = process.env.LEDGER_TEST_KAFKA_DATA_DIR;
  (kafkaDir ? it : it.skip)('is in no file of the Kafka broker log directory', async () => {
    const scan = await scanKafkaLogs(kafkaDir!, named([...NEEDLES, marker]));
    expect(scan.files).toBeGreaterThan(0);
    // Card numbers nowhere on the broker; the reserved phones nowhere on this test's topics (the same
    // test number is elsewhere a mobile bill's reference, which travels as the biller's account id).
    const phones = new Set(NEEDLES.filter((needle) => !NUMBER_NEEDLES.includes(needle)));
    const leaked = scan.hits.filter(
      (hit) => !hit.endsWith(marker) && (!phones.has(hit.slice(hit.lastIndexOf(': ') + 2)) || hit.startsWith(h.topicPrefix)),
    );
    expect(leaked).toEqual([]);
    expect(scan.hits.some((hit) => hit.startsWith(`${h.topicPrefix}scan-marker-`) && hit.endsWith(marker))).toBe(true);
  });
});

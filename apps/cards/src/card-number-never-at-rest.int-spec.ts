import 'reflect-metadata';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { HEADER, cardsContract as cards } from '@ledger/contracts';
import { LUHN_INVALID_CARD_NUMBER, TEST_CARDS, UNKNOWN_ICBC_CARD_NUMBER } from '@ledger/cards-domain';
import { headerValue, producerDefaults } from '@ledger/messaging';
import { TopicRecorder, testKafka, uniqueSuffix } from '@ledger/testing';
import { Client } from 'pg';
import { expectAccepted, expectRejected, newUserId, startCardsHarness, type CardsHarness } from './testing/cards-harness';

jest.setTimeout(180_000);

/** Every test card number as typed (no spaces) and as printed (groups of four). */
const NUMBERS = [...Object.values(TEST_CARDS).map((card) => card.number), LUHN_INVALID_CARD_NUMBER, UNKNOWN_ICBC_CARD_NUMBER];
const NEEDLES = NUMBERS.flatMap((number) => [number, number.replace(/(\d{4})(?=\d)/g, '$1 ')]);

const CHUNK_BYTES = 1 << 20;
/** Bounds on the walk, so a huge or looping directory fails loudly instead of hanging. */
const MAX_FILES = 200_000;
const MAX_DEPTH = 8;

async function* filesUnder(dir: string, depth = 0): AsyncGenerator<string> {
  if (depth > MAX_DEPTH) throw new Error(`${dir} is nested deeper than ${MAX_DEPTH}`);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full, depth + 1);
    else if (entry.isFile()) yield full;
  }
}

/**
 * The needles found in one file, reading it as bytes in chunks (with an overlap so that a needle
 * across a chunk boundary is still found). Kafka preallocates its offset and time index files
 * (10 MB of zeros each); their reading stops at the first chunk of only zeros, which is that
 * unwritten tail.
 */
async function needlesInFile(file: string, needles: readonly string[]): Promise<string[]> {
  const patterns = needles.map((needle) => ({ needle, bytes: Buffer.from(needle, 'utf8') }));
  const overlap = Math.max(...patterns.map((p) => p.bytes.length)) - 1;
  const preallocated = /\.(index|timeindex)$/.test(file);
  const found = new Set<string>();
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES + overlap);
    let carried = 0;
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, carried, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      const window = buffer.subarray(0, carried + bytesRead);
      if (preallocated && window.subarray(carried).every((byte) => byte === 0)) break;
      for (const { needle, bytes } of patterns) if (window.includes(bytes)) found.add(needle);
      position += bytesRead;
      carried = Math.min(overlap, window.length);
      window.copy(buffer, 0, window.length - carried);
    }
  } finally {
    await handle.close();
  }
  return [...found];
}

async function scanKafkaDir(dir: string, needles: readonly string[]): Promise<{ files: number; hits: string[] }> {
  const hits: string[] = [];
  let files = 0;
  for await (const file of filesUnder(dir)) {
    files += 1;
    if (files > MAX_FILES) throw new Error(`more than ${MAX_FILES} files under ${dir}`);
    for (const needle of await needlesInFile(file, needles)) hits.push(`${path.relative(dir, file)}: ${needle}`);
  }
  return { files, hits };
}

async function scanDatabase(url: string, needles: readonly string[]): Promise<{ tables: number; rows: number; hits: string[] }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%'`,
    );
    const hits: string[] = [];
    let rowCount = 0;
    for (const table of tables) {
      const ident = `"${table.schema.replace(/"/g, '""')}"."${table.name.replace(/"/g, '""')}"`;
      const { rows } = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${ident} t`);
      rowCount += rows.length;
      for (const { row } of rows) for (const needle of needles) if (row.includes(needle)) hits.push(`${table.schema}.${table.name}: ${needle}`);
    }
    return { tables: tables.length, rows: rowCount, hits };
  } finally {
    await client.end();
  }
}

/**
 * "No full card number at rest" (SPEC: no secret ever at rest in plain text): cards are bound and
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
    await producer.send({ topic: `${h.topicPrefix}scan-marker`, acks: -1, messages: [{ key: 'marker', value: JSON.stringify({ note: marker }) }] });
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
    const scan = await scanDatabase(h.db.url, [...NEEDLES, marker]);
    expect(scan.rows).toBeGreaterThan(10);
    expect(scan.hits).toEqual([`scan_marker.planted: ${marker}`]);
  });

  it('is in nothing the service logged', () => {
    const log = captured.join('');
    expect(log).toContain('cards.BindCard.v1'); // the service did log its commands
    expect(log).toContain(marker);
    expect(NEEDLES.filter((needle) => log.includes(needle))).toEqual([]);
  });

  const kafkaDir = process.env.LEDGER_TEST_KAFKA_DATA_DIR;
  (kafkaDir ? it : it.skip)('is in no file of the Kafka broker log directory', async () => {
    const scan = await scanKafkaDir(kafkaDir!, [...NEEDLES, marker]);
    expect(scan.files).toBeGreaterThan(0);
    expect(scan.hits.filter((hit) => !hit.endsWith(marker))).toEqual([]);
    expect(scan.hits.some((hit) => hit.startsWith(`${h.topicPrefix}scan-marker-`) && hit.endsWith(marker))).toBe(true);
  });
});

import 'reflect-metadata';
import { randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { identityContract as identity } from '@ledger/contracts';
import { checkPaymentPassword } from '@ledger/identity-domain';
import { testKafka, TopicRecorder } from '@ledger/testing';
import { Client } from 'pg';
import { eventually, expectAccepted, randomIdNumber, randomPhone, startIdentityHarness, type IdentityHarness } from './testing/identity-harness';

/**
 * Plants known secrets through the real flow, then looks for them everywhere the system keeps
 * data: the Kafka broker's log directory (every file, as bytes), every table of the test database
 * (as JSON rows) and everything the service printed. The scan proves it can see by finding a
 * deliberately planted, non-secret marker in each place.
 *
 * Numeric secrets (6-digit SMS code and payment password, the ID number) are matched only where no
 * digit touches them on either side: a bare 6-digit run turns up by chance in megabytes of
 * timestamps and binary offsets, while a leaked secret is always delimited (a JSON string, a log
 * word).
 */
describe('no secret in plain text in Kafka, the database or the logs', () => {
  let h: IdentityHarness;
  let events: TopicRecorder;
  let captured = '';
  const originalStdout = process.stdout.write.bind(process.stdout);
  const originalStderr = process.stderr.write.bind(process.stderr);

  const kafkaDataDir = process.env['LEDGER_TEST_KAFKA_DATA_DIR'];
  const loginPassword = `Pl4nted${randomBytes(6).toString('hex')}`;
  const newLoginPassword = `Ch4nged${randomBytes(6).toString('hex')}`;
  const idNumber = randomIdNumber();
  let paymentPassword = '';
  while (paymentPassword === '' || !checkPaymentPassword(paymentPassword).ok) paymentPassword = String(randomInt(100_000, 1_000_000));
  const marker = `SCAN-MARKER-${randomBytes(8).toString('hex')}`;
  const smsCodes: string[] = [];
  let registrationCommandId = '';

  beforeAll(async () => {
    // Capture everything written to stdout/stderr (Nest's logger, KafkaJS, console) for the log
    // scan; it is kept off the terminal so the test output stays readable.
    const capture = ((chunk: string | Uint8Array) => {
      captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    h = await startIdentityHarness('identity_secrets', { logger: ['log', 'warn', 'error'] });
    events = await new TopicRecorder(testKafka('identity-secrets-events'), [h.eventsTopic]).start();
  });

  afterAll(async () => {
    await events.stop();
    await h.stop();
    process.stdout.write = originalStdout;
    process.stderr.write = originalStderr;
  });

  it('plants a login password, a payment password, SMS codes and an ID number through the real flow', async () => {
    const phone = randomPhone();
    expectAccepted(await h.send(identity.requestVerificationCode, { phone, purpose: 'registration' }));
    smsCodes.push(h.latestCode(phone));
    registrationCommandId = `reg-${randomBytes(8).toString('hex')}`;
    const registered = expectAccepted(
      await h.send(
        identity.registerUser,
        { phone, code: h.enc('code', smsCodes[0]!), loginPassword: h.enc('loginPassword', loginPassword), name: marker, idNumber: h.enc('idNumber', idNumber), deviceId: 'phone-A' },
        'anonymous',
        { commandId: registrationCommandId },
      ),
    );
    const userId = String(registered['userId']);
    const me = `user:${userId}`;
    expectAccepted(await h.send(identity.setPaymentPassword, { userId, paymentPassword: h.enc('paymentPassword', paymentPassword) }, me));
    expectAccepted(await h.send(identity.verifyPaymentPassword, { userId, paymentPassword: h.enc('paymentPassword', paymentPassword), purpose: 'payment' }, 'system:payments'));
    expectAccepted(await h.send(identity.requestVerificationCode, { phone, purpose: 'login_step_up' }));
    smsCodes.push(h.latestCode(phone));
    expectAccepted(
      await h.send(identity.login, { phone, loginPassword: h.enc('loginPassword', loginPassword), deviceId: 'phone-B', stepUpCode: h.enc('stepUpCode', smsCodes[1]!) }),
    );
    expectAccepted(
      await h.send(identity.changeLoginPassword, { userId, loginPassword: h.enc('loginPassword', loginPassword), newLoginPassword: h.enc('newLoginPassword', newLoginPassword) }, me),
    );
    // Wait until the relay and the read model have caught up, so their copies are part of the scan.
    await events.waitFor((m) => m.message.headers?.['message-type']?.toString() === 'identity.LoginPasswordChanged.v1' && m.message.key?.toString() === `user-${userId}`);
    await eventually(async () => expectAccepted(await h.send(identity.findUserByPhone, { phone }, 'system:payments')));
  });

  const secrets = () => ({ loginPassword, newLoginPassword, paymentPassword, idNumber, ...Object.fromEntries(smsCodes.map((code, index) => [`smsCode${index + 1}`, code])) });

  it('finds none of them in a dump of every table of the database, but finds the marker', async () => {
    const client = new Client({ connectionString: h.db.url });
    await client.connect();
    let dump = '';
    try {
      const { rows } = await client.query<{ table_schema: string; table_name: string }>(
        `SELECT table_schema, table_name FROM information_schema.tables
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%'`,
      );
      expect(rows.map((row) => `${row.table_schema}.${row.table_name}`)).toEqual(expect.arrayContaining(['identity.events', 'identity_read.users']));
      for (const { table_schema, table_name } of rows) {
        const result = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${table_schema}"."${table_name}" t`);
        dump += result.rows.map((row) => row.row).join('\n') + '\n';
      }
    } finally {
      await client.end();
    }
    expect(findSecrets(Buffer.from(dump, 'utf8'), { marker })).toEqual(['marker']);
    expect(findSecrets(Buffer.from(dump, 'utf8'), secrets())).toEqual([]);
  });

  it('finds none of them in the service log output, but finds the logged command id', () => {
    expect(captured).toContain(registrationCommandId);
    expect(findSecrets(Buffer.from(captured, 'utf8'), secrets())).toEqual([]);
  });

  (kafkaDataDir ? it : it.skip)(
    `finds none of them in the Kafka broker's log directory, but finds the marker${kafkaDataDir ? '' : ' (SKIPPED: external broker, LEDGER_TEST_KAFKA_DATA_DIR unset)'}`,
    () => {
      const files = listFiles(kafkaDataDir!);
      const found = new Set<string>();
      for (const file of files) for (const name of findSecrets(readFileSync(file), { ...secrets(), marker })) found.add(name);
      expect([...found]).toEqual(['marker']);
    },
  );
});

/** The names of the needles present in `haystack`; all-digit needles only where no digit touches them. */
function findSecrets(haystack: Buffer, needles: Record<string, string>): string[] {
  return Object.entries(needles)
    .filter(([, needle]) => contains(haystack, needle))
    .map(([name]) => name);
}

function contains(haystack: Buffer, needle: string): boolean {
  const bytes = Buffer.from(needle, 'utf8');
  const numeric = /^\d+$/.test(needle) || /^\d{17}[\dX]$/.test(needle);
  const isDigit = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x39;
  for (let index = haystack.indexOf(bytes); index !== -1; index = haystack.indexOf(bytes, index + 1)) {
    if (!numeric || (!isDigit(haystack[index - 1]) && !isDigit(haystack[index + bytes.length]))) return true;
  }
  return false;
}

/** Every file below `dir` (bounded depth: Kafka's layout is dir/topic-partition/segment). */
function listFiles(dir: string, depth = 0): string[] {
  if (depth > 4) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, depth + 1) : [full];
  });
}

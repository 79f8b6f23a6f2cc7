import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Looks for planted secrets everywhere the system keeps data: every file of the Kafka broker's log
 * directory (as bytes) and every row of every table of a database (as JSON). Needles are named
 * (`{ phone: '138…' }`) and the names of those found are returned, so a test says which secret
 * leaked. All-digit needles (SMS codes, payment passwords, phone and ID numbers) count only where no
 * digit touches them on either side: a bare run of digits turns up by chance in megabytes of
 * timestamps and offsets, while a leaked one is always delimited (a JSON string, a log word).
 */
export type Needles = Readonly<Record<string, string>>;

const CHUNK_BYTES = 1 << 20;
const MAX_FILES = 200_000;
const MAX_DEPTH = 8;

/** The names of the needles present in `haystack`. */
export function needlesIn(haystack: Buffer | string, needles: Needles): string[] {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  return Object.entries(needles)
    .filter(([, needle]) => contains(bytes, needle))
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

async function* filesUnder(dir: string, depth = 0): AsyncGenerator<string> {
  if (depth > MAX_DEPTH) throw new Error(`${dir} is nested deeper than ${MAX_DEPTH}`);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full, depth + 1);
    else if (entry.isFile()) yield full;
  }
}

/**
 * The needles found in one file, read in chunks with an overlap (a needle across a chunk boundary
 * is still found). Kafka preallocates its offset and time index files (10 MB of zeros each); their
 * reading stops at the first chunk of only zeros, which is that unwritten tail.
 */
async function needlesInFile(file: string, needles: Needles): Promise<string[]> {
  const overlap = Math.max(...Object.values(needles).map((needle) => Buffer.byteLength(needle) + 1));
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
      for (const name of needlesIn(window, needles)) found.add(name);
      position += bytesRead;
      carried = Math.min(overlap, window.length);
      window.copy(buffer, 0, window.length - carried);
    }
  } finally {
    await handle.close();
  }
  return [...found];
}

/** Every needle found in the broker's log directory, as `<file>: <name>`, and how many files were read. */
export async function scanKafkaLogs(dir: string, needles: Needles): Promise<{ files: number; hits: string[]; found: string[] }> {
  const hits: string[] = [];
  const found = new Set<string>();
  let files = 0;
  for await (const file of filesUnder(dir)) {
    files += 1;
    if (files > MAX_FILES) throw new Error(`more than ${MAX_FILES} files under ${dir}`);
    for (const name of await needlesInFile(file, needles)) {
      hits.push(`${path.relative(dir, file)}: ${name}`);
      found.add(name);
    }
  }
  return { files, hits, found: [...found].sort() };
}

/** Every needle found in a row of a table of the database, as `<schema>.<table>: <name>`, and the tables read. */
export async function scanDatabase(
  url: string,
  needles: Needles,
): Promise<{ tables: string[]; rows: number; hits: string[]; found: string[] }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%'`,
    );
    const hits: string[] = [];
    const found = new Set<string>();
    let rowCount = 0;
    for (const table of tables) {
      const ident = `"${table.schema.replace(/"/g, '""')}"."${table.name.replace(/"/g, '""')}"`;
      const { rows } = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${ident} t`);
      rowCount += rows.length;
      for (const { row } of rows) {
        for (const name of needlesIn(row, needles)) {
          hits.push(`${table.schema}.${table.name}: ${name}`);
          found.add(name);
        }
      }
    }
    return { tables: tables.map((table) => `${table.schema}.${table.name}`), rows: rowCount, hits, found: [...found].sort() };
  } finally {
    await client.end();
  }
}

const SECRET_SHAPES: ReadonlyArray<[string, RegExp]> = [
  ['sealed or encrypted field', /\b(?:seal|enc):v1:/],
  ['JWT', /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./],
  ['bearer credential', /\bBearer\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}/i],
];

/**
 * What gives a secret away by its shape alone, whoever planted it: a sealed or keyring-encrypted
 * field value (`seal:v1:…`, `enc:v1:…`), a JWT (an access token) or a bearer credential. Logs must
 * hold none: the logger scrubs them (`@ledger/messaging` redact), and this says which got through.
 */
export function secretShapesIn(text: string): string[] {
  return SECRET_SHAPES.filter(([, shape]) => shape.test(text)).map(([name]) => name);
}

/**
 * Captures everything the process writes to stdout and stderr (Nest's logger, KafkaJS, console)
 * until `restore()`, for a scan of the logs; kept off the terminal so the test output stays readable.
 */
export function captureProcessOutput(): { text(): string; restore(): void } {
  const originalStdout = process.stdout.write;
  const originalStderr = process.stderr.write;
  let captured = '';
  const capture = ((chunk: string | Uint8Array) => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  return {
    text: () => captured,
    restore: () => {
      process.stdout.write = originalStdout;
      process.stderr.write = originalStderr;
    },
  };
}

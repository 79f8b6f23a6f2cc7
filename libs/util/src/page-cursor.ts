/**
 * The opaque cursor of a list paged newest first by (instant, id): `nextCursor` of one page is the
 * `before` of the next. Base64url of a JSON pair, so clients never build or parse one.
 */
export class InvalidPageCursor extends Error {
  constructor() {
    super('not a cursor of this list');
    this.name = 'InvalidPageCursor';
  }
}

export function encodePageCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

/** The position a cursor names; InvalidPageCursor for anything that is not one. */
export function decodePageCursor(cursor: string): { at: string; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string' && !Number.isNaN(Date.parse(parsed[0])))
      return { at: parsed[0], id: parsed[1] };
  } catch {
    // fall through
  }
  throw new InvalidPageCursor();
}

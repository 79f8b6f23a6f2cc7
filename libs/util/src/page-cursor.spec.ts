import { InvalidPageCursor, decodePageCursor, encodePageCursor } from './page-cursor';

describe('page cursor', () => {
  it('names the position it was made from', () => {
    expect(decodePageCursor(encodePageCursor('2026-12-07T09:00:00.000Z', 'event-7'))).toEqual({
      at: '2026-12-07T09:00:00.000Z',
      id: 'event-7',
    });
  });

  it.each([
    '',
    'not base64 json',
    Buffer.from('["not an instant","x"]').toString('base64url'),
    Buffer.from('{"at":1}').toString('base64url'),
  ])('refuses %j', (cursor) => {
    expect(() => decodePageCursor(cursor)).toThrow(InvalidPageCursor);
  });
});

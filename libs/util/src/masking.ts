/**
 * A person's name as it may be shown or published: every character but the last starred, as banks
 * show card holders (`张三` → `*三`, `欧阳娜娜` → `***娜`). Characters, not UTF-16 units, are counted.
 */
export function maskPersonName(name: string): string {
  const characters = Array.from(name.trim());
  if (characters.length === 0) throw new Error('maskPersonName: empty name');
  if (characters.length === 1) return '*';
  return `${'*'.repeat(characters.length - 1)}${characters[characters.length - 1] ?? ''}`;
}

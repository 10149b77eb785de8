/** makedumpfile's dump level (`-d`): a bit per kind of page to leave out. */

/** The bits the page offers, lowest first. */
export const LEVEL_BITS = [
  { bit: 1, label: 'Zero pages', hint: 'pages of all zeroes' },
  { bit: 2, label: 'Page cache', hint: 'non-private cache' },
  { bit: 4, label: 'Private cache', hint: 'cache with private data' },
  { bit: 8, label: 'User data', hint: 'process memory' },
  { bit: 16, label: 'Free pages', hint: 'in the buddy allocator' },
] as const;

/** A typed-in level as a dump level: whole, from 0 to 31; 0 for what is not a number. */
export function clampLevel(n: number): number {
  const v = Math.floor(Number(n));
  return Number.isFinite(v) ? Math.min(31, Math.max(0, v)) : 0;
}

/** `level` with `bit` set (`on`) or cleared. */
export const withBit = (level: number, bit: number, on: boolean): number => (on ? level | bit : level & ~bit);

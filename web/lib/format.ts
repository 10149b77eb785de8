/** Display helpers for DumpInfo numbers. All inputs are exact JS numbers (< 2^53). */

export const hex = (n: number): string => `0x${n.toString(16)}`;

/** phys_base is an unsigned long that KASLR may leave "below zero"; the library gives it signed, shown as the CLI does (ASCII minus, so it pastes into other tools). */
export const signedHex = (n: number): string => (n < 0 ? `-0x${(-n).toString(16)}` : hex(n));

const group = new Intl.NumberFormat('en-US');
export const int = (n: number): string => group.format(n);

/** Binary units, one decimal where it matters: 4 KiB, 191.5 MiB, 1.2 GiB. */
export function bytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${int(n)} bytes`;
  const text = Number.isInteger(v) ? String(v) : v.toFixed(1);
  return `${text} ${units[i]}`;
}

/** A size as a bare number of MiB, for a column whose heading names the unit: "0.4", "12.3", "512". */
export function mib(n: number): string {
  const v = n / 1024 ** 2;
  return v >= 100 ? int(Math.round(v)) : v.toFixed(1);
}

/** "2026-11-25 17:09:30 UTC" from an ISO 8601 string. */
export function utc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

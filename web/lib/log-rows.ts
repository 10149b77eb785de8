import { bracketTime } from './crash-format.js';

/** What the log view shows of a read log: its records, or the plain text of a pre-3.5 log. */
export interface LogSource {
  records: readonly { time: string; text: string; level?: number }[];
  plainLines: readonly string[] | null;
}

/** One display line per row: a record's text split at its newlines, continuation lines indented as makedumpfile does. */
export interface LogRows {
  line: string[];
  /** Length of the "[    8.670188] " prefix in `line` (0 for plain-text logs). */
  prefix: Uint16Array;
  /** Syslog level of the row's record, -1 when unknown. */
  level: Int8Array;
  /** First row of each record. */
  recStart: Int32Array;
  count: number;
}

export function logRows(l: LogSource): LogRows {
  const line: string[] = [];
  const prefix: number[] = [];
  const level: number[] = [];
  const recStart = new Int32Array(l.records.length);
  l.records.forEach((r, i) => {
    recStart[i] = line.length;
    const t = `${bracketTime(r.time)} `;
    const blank = ' '.repeat(t.length);
    const parts = r.text.split('\n');
    for (let j = 0; j < parts.length; j++) {
      line.push((j === 0 ? t : blank) + parts[j]);
      prefix.push(t.length);
      level.push(r.level ?? -1);
    }
  });
  if (l.records.length === 0 && l.plainLines) {
    for (const s of l.plainLines) {
      line.push(s);
      prefix.push(0);
      level.push(-1);
    }
  }
  return { line, prefix: Uint16Array.from(prefix), level: Int8Array.from(level), recStart, count: line.length };
}

const lowered = new WeakMap<LogRows, string[]>();

/** The rows lower-cased, for search: built on first use and kept as long as the rows are. */
export function lowerLines(rows: LogRows): string[] {
  let out = lowered.get(rows);
  if (!out) {
    out = rows.line.map((s) => s.toLowerCase());
    lowered.set(rows, out);
  }
  return out;
}

/** The tone a row is drawn in for its syslog level ('' for the plain ones and for unknown levels). */
export function levelTone(level: number): '' | 'crit' | 'err' | 'warn' | 'debug' {
  if (level < 0) return '';
  if (level <= 2) return 'crit';
  if (level === 3) return 'err';
  if (level === 4) return 'warn';
  if (level === 7) return 'debug';
  return '';
}

/** How the log's layout is named in the log's header ('' when it is unknown). */
export function layoutLabel(layout: string | null): string {
  return layout === 'printk_ringbuffer' ? 'lockless ring (5.10+)' : layout === 'printk_log' ? 'log_buf records' : layout === 'log_end' ? 'plain log_buf' : '';
}

/** Where a command writes; injected so tests read what a user would see. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export type Column<T> = [header: string, value: (row: T) => string | number | null | undefined];

/** A plain table: upper-case headers, columns padded to their widest cell, `-` for nothing. */
export function table<T>(columns: Array<Column<T>>, rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map(([, value]) => {
    const v = value(row);
    return v === null || v === undefined || v === '' ? '-' : String(v);
  }));
  const headers = columns.map(([h]) => h.toUpperCase());
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

/** `key: value` lines, aligned. */
export function fields(pairs: Array<[string, string | number | boolean | null | undefined]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v === null || v === undefined || v === '' ? '-' : String(v)}`).join('\n') + '\n';
}

/** A timestamp without its milliseconds, for tables. */
export function when(iso: string | null | undefined): string | undefined {
  return iso ? iso.replace(/\.\d+Z$/, 'Z') : undefined;
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

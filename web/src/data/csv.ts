// Tables as CSV (RFC 4180: comma separated, CRLF, fields quoted when they hold a comma, quote or line
// break), and the browser download of one.

/** One table: a header row and rows of cells. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly (string | number | bigint | null)[])[];
}

function cell(value: string | number | bigint | null): string {
  const text = value === null ? "" : value.toString();
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The table as CSV text. */
export function toCsv(table: CsvTable): string {
  return `${[table.header, ...table.rows].map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`;
}

/** Offers the table to the user as a file download. */
export function downloadCsv(filename: string, table: CsvTable): void {
  const url = URL.createObjectURL(new Blob([toCsv(table)], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

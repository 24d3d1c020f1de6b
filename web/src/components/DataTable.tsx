// The dashboard's tables: a caption, column headers and one row per item, scrolling sideways on a narrow
// screen instead of widening the page.
import type { ReactNode } from "react";

/** One column: its header and how a row fills its cell. */
export interface Column<T> {
  readonly header: string;
  readonly cell: (row: T, index: number) => ReactNode;
  /** Right-aligned figures. */
  readonly numeric?: boolean;
  /** The cell names its row (a `th scope="row"`). */
  readonly rowHeader?: boolean;
  /** A `data-col` name, for tests to read a column. */
  readonly testName?: string;
}

/** Props of {@link DataTable}. */
export interface DataTableProps<T> {
  readonly caption: string;
  /** Show the caption above the table (otherwise only screen readers get it). */
  readonly showCaption?: boolean;
  readonly rows: readonly T[];
  readonly columns: readonly Column<T>[];
  readonly rowKey: (row: T) => string;
  /** Extra attributes of a row (e.g. `data-job-id`). */
  readonly rowData?: (row: T) => Readonly<Record<string, string | undefined>>;
  readonly testId?: string;
}

/** A table of `rows`. */
export function DataTable<T>({ caption, showCaption, rows, columns, rowKey, rowData, testId }: DataTableProps<T>): ReactNode {
  return (
    <>
      {/* Shown above the scroll box, not as the wide table's own caption, so a phone shows all of it. */}
      {showCaption ? (
        <p className="muted table-caption" aria-hidden="true">
          {caption}
        </p>
      ) : null}
      <div className="table-scroll">
        <table data-testid={testId}>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.header} scope="col" className={column.numeric ? "num" : undefined}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={rowKey(row)} {...rowData?.(row)}>
                {columns.map((column) =>
                  column.rowHeader ? (
                    <th key={column.header} scope="row" data-col={column.testName}>
                      {column.cell(row, index)}
                    </th>
                  ) : (
                    <td key={column.header} className={column.numeric ? "num" : undefined} data-col={column.testName}>
                      {column.cell(row, index)}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

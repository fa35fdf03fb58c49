/**
 * The rows of a /predict request as the feature builder reads them: one column of values per
 * name, as `rows.map((row) => row[name])` would give it.
 */
export interface RowColumns {
  readonly length: number;
  column(name: string): ArrayLike<unknown>;
}

/** What `row[name]` gives for a row without its own `name`: Object.prototype's, if any. */
const PLAIN: Record<string, unknown> = {};

/** Rows that JSON.parse made: each column read from the objects. */
export function objectRows(rows: readonly Record<string, unknown>[]): RowColumns {
  return { length: rows.length, column: (name) => rows.map((row) => row[name]) };
}

/** One named column of scanned rows: values in row order, a gap where a row lacks the name. */
export class ScannedColumn {
  readonly values: unknown[] = [];
  /** Where each string read in this column lies in the body, by a hash of its bytes, and its text. */
  readonly strings = new Map<number, { start: number; end: number; text: string }>();

  constructor(readonly name: string) {}

  /** Sets row `row`'s value; a repeated name in one row keeps the last, as JSON.parse does. */
  set(row: number, value: unknown): void {
    const values = this.values;
    if (values.length === row) values.push(value);
    else if (values.length === row + 1) values[row] = value;
    else {
      const absent = PLAIN[this.name];
      while (values.length < row) values.push(absent);
      values.push(value);
    }
  }
}

/** Rows read by the /predict scanner, column by column. */
export class ColumnStore implements RowColumns {
  private readonly columns = new Map<string, ScannedColumn>();
  length = 0;

  /** The column of `name`, made on its first use. */
  named(name: string): ScannedColumn {
    let column = this.columns.get(name);
    if (!column) {
      column = new ScannedColumn(name);
      this.columns.set(name, column);
    }
    return column;
  }

  column(name: string): ArrayLike<unknown> {
    const absent = PLAIN[name];
    const values = this.columns.get(name)?.values ?? [];
    // Rows after the last that has the name lack it too.
    while (values.length < this.length) values.push(absent);
    return values;
  }
}

/** SQLite allows 32,766 bound values per statement; stay well below it. */
const maxValuesPerStatement = 30_000;

/** Splits rows for multi-row inserts so that no statement binds too many values. */
export function chunksForInsert<T>(rows: T[], valuesPerRow: number): T[][] {
  const size = Math.max(1, Math.floor(maxValuesPerStatement / valuesPerRow));
  const result: T[][] = [];
  for (let start = 0; start < rows.length; start += size)
    result.push(rows.slice(start, start + size));
  return result;
}

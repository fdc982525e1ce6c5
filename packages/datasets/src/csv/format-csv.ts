import { stringify } from 'csv-stringify/sync';

/**
 * A CSV document (RFC 4180, `\n` line ends) written by csv-stringify: a header row, then the rows.
 * A field holding a delimiter, a quote or a line break (`\r` too) is quoted with doubled quotes;
 * numbers print as JavaScript prints them (`1.5`, `-Infinity`, `NaN`).
 */
export function formatCsv(header: readonly (string | number)[], rows: Iterable<readonly (string | number)[]>): string {
  return stringify([header, ...rows], { record_delimiter: '\n', quoted_match: /\r/, eof: true });
}

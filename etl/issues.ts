/**
 * What the ETL says about a file: errors (the file loads nothing) and warnings (kept, flagged).
 * Every issue is located: the file, and where known the line and column (1-based), and names what was expected.
 */
export type Severity = 'error' | 'warning';

export interface LoadIssue {
  severity: Severity;
  file: string;
  line: number | null;
  col: number | null;
  column: string | null;
  message: string;
}

/** An error at a place in a file: line and column 1-based, null where unknown; `column` names the report column. */
export function errorAt(
  file: string,
  line: number | null,
  col: number | null,
  column: string | null,
  message: string,
): LoadIssue {
  return { severity: 'error', file, line, col, column, message };
}

/** `file:line:col (column): message`, the form editors and CI logs link to. */
export function formatIssue(i: LoadIssue): string {
  const where = [i.file, i.line, i.line !== null ? i.col : null].filter((x) => x !== null && x !== undefined).join(':');
  const column = i.column ? ` (${i.column})` : '';
  return `${where}${column}: ${i.severity}: ${i.message}`;
}

/** An error found before any row could be read: the file cannot be staged at all. */
export class FileRejected extends Error {
  constructor(readonly issues: LoadIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** Keeps a file's report readable: the first issues of each kind in full, then a count of the rest. */
export const MAX_ISSUES_PER_FILE = 200;

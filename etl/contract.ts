/**
 * The report file contract: the same columns in CSV, on the first sheet of an XLSX workbook, or as the keys of the
 * objects of a JSON array. Header names are exact; their order is free.
 */
export const REQUIRED_COLUMNS = ['unit_code', 'period', 'indicator', 'value'] as const;
/**
 * `source_note`: free text kept with the value as its provenance and returned by the API (`KpiValue.sources`);
 * `pcmbn etl extract` writes the citation of a figure read from a report in prose there.
 */
export const OPTIONAL_COLUMNS = ['sex', 'age_group', 'submitted_on', 'hierarchy', 'source_note'] as const;
export const COLUMNS = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS] as const;
export type Column = (typeof COLUMNS)[number];

/**
 * The label columns of the warehouse's own XLSX submission template (`pcmbn template`): read by people filling it
 * in, never by the loader, which recognises them in an XLSX header and skips them. Anywhere else they are unknown.
 */
export const TEMPLATE_LABEL_COLUMNS = ['unit_name', 'indicator_name', 'measure', 'due_date'] as const;
export type TemplateLabelColumn = (typeof TEMPLATE_LABEL_COLUMNS)[number];

/** Formats the loader reads, by file extension. */
export const FORMATS = { '.csv': 'csv', '.txt': 'csv', '.tsv': 'csv', '.xlsx': 'xlsx', '.json': 'json' } as const;
export type Format = (typeof FORMATS)[keyof typeof FORMATS];

export function formatOf(path: string): Format | undefined {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? undefined : (FORMATS as Record<string, Format>)[path.slice(dot).toLowerCase()];
}

export interface HeaderCheck {
  /** Position (0-based) of each contract column present. */
  positions: Map<Column, number>;
  problems: { col: number; message: string }[];
  /** Whether the header holds label columns of our own template (`templateLabels` only). */
  template: boolean;
}

/**
 * Checks a header row: every required column once, nothing unknown. `col` in problems is 1-based. With
 * `templateLabels`, the template's label columns are accepted and left out of `positions`.
 */
export function checkHeader(names: readonly string[], o: { templateLabels?: boolean } = {}): HeaderCheck {
  const labels: readonly string[] = o.templateLabels ? TEMPLATE_LABEL_COLUMNS : [];
  const seenLabels = new Set<string>();
  const positions = new Map<Column, number>();
  const problems: HeaderCheck['problems'] = [];
  names.forEach((raw, i) => {
    const name = raw.trim();
    if (name === '') {
      problems.push({
        col: i + 1,
        message:
          `column ${i + 1} of the header has no name (a trailing separator, as Excel sometimes writes?); ` +
          `expected only the columns ${COLUMNS.join(', ')}`,
      });
    } else if (labels.includes(name)) {
      if (seenLabels.has(name))
        problems.push({ col: i + 1, message: `the template's label column "${name}" appears twice` });
      seenLabels.add(name);
    } else if (!(COLUMNS as readonly string[]).includes(name)) {
      const hint = COLUMNS.find((c) => c.toLowerCase() === name.toLowerCase().replace(/[\s-]+/g, '_'));
      problems.push({
        col: i + 1,
        message:
          `unknown column "${raw}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected the columns ` +
          `${COLUMNS.join(', ')}`,
      });
    } else if (positions.has(name as Column)) {
      problems.push({
        col: i + 1,
        message: `column "${name}" appears twice (first as column ${positions.get(name as Column)! + 1})`,
      });
    } else {
      positions.set(name as Column, i);
    }
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!positions.has(required))
      problems.push({
        col: names.length + 1,
        message: `the header has no "${required}" column; required: ${REQUIRED_COLUMNS.join(', ')}`,
      });
  }
  return { positions, problems, template: seenLabels.size > 0 };
}

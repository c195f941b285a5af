/**
 * The warehouse's tables as Kysely sees them. Dates are `YYYY-MM-DD` strings and timestamps ISO strings
 * (the dialect converts them); ids are numbers.
 */
/** `national` holds only `VN`; the two lists of the 2025 reform are named by the month they took effect. */
export type HierarchyVersion = '2025-03' | '2025-07';
export type UnitLevel = 'national' | 'province' | 'district' | 'ward';

export interface UnitsTable {
  unit_id: number;
  hierarchy: HierarchyVersion | 'national';
  code: string;
  /** `VN`, `2025-03:26734` or `2025-07:00004`: how a unit is written wherever it is named. */
  ref: string;
  name: string;
  /** The unit's kind as written in Vietnamese: Tỉnh, Thành phố, Quận, Huyện, Phường, Xã, Đặc khu… */
  type: string;
  level: UnitLevel;
  parent_id: number | null;
  /** 0 for VN, 1 province, 2 old district or new commune, 3 old ward. */
  depth: number;
  valid_from: string | null;
  valid_to: string | null;
}

export interface UnitClosureTable {
  ancestor_id: number;
  descendant_id: number;
  depth: number;
}

export interface UnitLineageTable {
  old_id: number;
  new_id: number;
  transfer: 'full' | 'partial';
  /** Share of the old unit's figures that belongs to the new one; null until weights are loaded. */
  weight: number | null;
}

export interface IndicatorsTable {
  code: string;
  name_vi: string;
  name_en: string;
  unit: string;
  kind: 'count' | 'ratio';
  aggregation: 'sum' | 'last' | null;
  numerator: string | null;
  denominator: string | null;
  target_operator: string | null;
  target_value: number | null;
  disaggregations: string;
  /** Position in the catalogue: part of `facts.fact_key`. */
  indicator_no: number;
}

export interface PeriodsTable {
  period_id: string;
  type: 'year' | 'half' | 'quarter' | 'month';
  year: number;
  idx: number;
  start_date: string;
  end_date: string;
  /** Dense ordinal: part of `facts.fact_key`. */
  period_no: number;
  parent_period_id: string | null;
}

export interface EtlRunsTable {
  run_id: number;
  trigger: string;
  started_at: string;
  finished_at: string | null;
  status: 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted';
  files_loaded: number;
  files_unchanged: number;
  files_rejected: number;
  rows_loaded: number;
  facts_revised: number;
  warnings: number;
  message: string | null;
}

export interface SourceFilesTable {
  file_id: number;
  run_id: number;
  file_name: string;
  content_hash: string;
  status: 'loaded' | 'rejected';
  rows: number;
  recorded_at: string;
}

export interface ReportsTable {
  report_id: number;
  file_id: number;
  run_id: number;
  unit_id: number;
  period_id: string;
  submitted_on: string;
}

export interface FactsTable {
  /** unit, period, indicator, sex and age group packed in one integer (schema/factKey.ts): fast grouping and joins. */
  fact_key: number;
  report_id: number;
  unit_id: number;
  period_id: string;
  indicator: string;
  /** `female`, `male` or `total`. */
  sex: string;
  /** `child`, `adult` or `total`. */
  age_group: string;
  value: number;
  submitted_on: string;
  /** The value in force; a later submission for the same key clears it and keeps this row as history. */
  is_current: boolean;
  load_seq: number;
  /** Where the figure came from, when its report said (a citation of a prose report: etl/extract). */
  source_note: string | null;
}

export interface RejectsTable {
  run_id: number;
  file_name: string;
  content_hash: string;
  severity: 'error' | 'warning';
  line: number | null;
  col: number | null;
  column_name: string | null;
  message: string;
}

/**
 * What a key may see: `viewer` is the public and partners' role (small victims counts withheld); `leader` the
 * steering committees' (every figure of its scope, as reported); `analyst` and `admin` see every figure too.
 */
export type Role = 'viewer' | 'leader' | 'analyst' | 'admin';

export interface ApiKeysTable {
  key_id: string;
  /** SHA-256 of the token, hex: tokens are shown once and never stored. */
  token_hash: string;
  role: Role;
  unit_id: number;
  label: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface RollupTable {
  fact_key: number;
  unit_id: number;
  /** periods.period_no */
  period_no: number;
  /** indicator_no * 16 + sex bits (female 4, male 8) + age group bits (child 1, adult 2); see schema/factKey.ts. */
  series: number;
  /** Null when no input had a value (a commune whose only history is a split ward without weights). */
  value: number | null;
  /** How the value was found: `own` report, finer `periods`, `children`, or `lineage` (predecessors). */
  source: 'own' | 'periods' | 'children' | 'lineage';
  /** Part of the history could not be allocated (an old ward split without apportionment weights). */
  partial: boolean;
}

/**
 * The viewers' suppression pattern (etl/marts/suppression.ts): the units whose yearly total of a victims count
 * (`series`, as in the roll-up) a viewer gets for `year`. Every other figure of those counts is withheld from them.
 */
export interface SuppressionShownTable {
  year: number;
  series: number;
  unit_id: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  units: UnitsTable;
  unit_closure: UnitClosureTable;
  unit_lineage: UnitLineageTable;
  indicators: IndicatorsTable;
  periods: PeriodsTable;
  etl_runs: EtlRunsTable;
  source_files: SourceFilesTable;
  reports: ReportsTable;
  facts: FactsTable;
  rejects: RejectsTable;
  meta: MetaTable;
  api_keys: ApiKeysTable;
  rollup: RollupTable;
  suppression_shown: SuppressionShownTable;
}

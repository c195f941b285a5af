/**
 * The dashboards' variables: Grafana template variables, and the page's pickers.
 */
import { INDICATORS } from '../../schema/catalogue.ts';
import { type Column, q, type QuerySpec, str, V, type VariableName } from './infinity.ts';
import { indicatorLabel, label, type Label } from './labels.ts';

export { VARIABLE_NAMES, type VariableName } from './infinity.ts';

export type UnitMode =
  /** The nation only (a hidden constant VN in Grafana). */
  | 'nation'
  /** A province of today's list, required. */
  | 'province'
  /** A province of today's list, or "all" = the nation. */
  | 'provinceOrNation';

export interface OptionSpec {
  value: string;
  label: Label;
}

export interface VariableSpec {
  name: VariableName;
  label: Label;
  /** Options read from the API (rows with `__text` and `__value`), or fixed options from the catalogue. */
  query?: QuerySpec;
  options?: OptionSpec[];
  default?: string;
  unitMode?: UnitMode;
  /** Grafana only: the page reaches the same data through its unit picker (both hierarchies). */
  grafanaOnly?: boolean;
}

const textValue = (text: string, value: string): Column[] => [str(text, '__text'), str(value, '__value')];

export const GRANULARITIES: readonly OptionSpec[] = [
  { value: 'MONTH', label: label('Tháng', 'Month') },
  { value: 'QUARTER', label: label('Quý', 'Quarter') },
  { value: 'HALF_YEAR', label: label('6 tháng', 'Half-year') },
  { value: 'YEAR', label: label('Năm', 'Year') },
];

export function unitVariable(mode: UnitMode): VariableSpec {
  return {
    name: 'unit',
    label: label('Đơn vị', 'Unit'),
    unitMode: mode,
    default: mode === 'province' ? undefined : 'VN',
    query:
      mode === 'nation'
        ? undefined
        : q('{ adminUnits(level: PROVINCE) { ref fullName } }', 'data.adminUnits', textValue('fullName', 'ref')),
  };
}

export const variables = {
  year: (): VariableSpec => ({
    name: 'year',
    label: label('Năm', 'Year'),
    query: q('{ periods(type: YEAR) { id labelVi } }', 'data.periods', textValue('labelVi', 'id')),
  }),
  month: (): VariableSpec => ({
    name: 'month',
    label: label('Tháng báo cáo', 'Reporting month'),
    query: q('{ periods(type: MONTH) { id labelVi } }', 'data.periods', textValue('labelVi', 'id')),
  }),
  granularity: (dflt: string): VariableSpec => ({
    name: 'granularity',
    label: label('Chu kỳ', 'Granularity'),
    options: [...GRANULARITIES],
    default: dflt,
  }),
  indicator: (dflt: string): VariableSpec => ({
    name: 'indicator',
    label: label('Chỉ tiêu', 'Indicator'),
    default: dflt,
    options: INDICATORS.map((i) => ({ value: i.code, label: indicatorLabel(i) })),
  }),
  /** The old provinces a province of today was made of (for periods before 1 July 2025). */
  old: (): VariableSpec => ({
    name: 'old',
    label: label('Tỉnh cũ (trước 1/7/2025)', 'Old province (before 1 July 2025)'),
    grafanaOnly: true,
    query: q(
      `{ adminUnit(code: ${V.unit}) { predecessors { ref fullName } } }`,
      'data.adminUnit.predecessors',
      textValue('fullName', 'ref'),
    ),
  }),
  oldYear: (): VariableSpec => ({
    name: 'oldYear',
    label: label('Năm (danh mục cũ)', 'Year (old list)'),
    grafanaOnly: true,
    query: q(
      '{ periods(type: YEAR, hierarchy: "2025-03") { id labelVi } }',
      'data.periods',
      textValue('labelVi', 'id'),
    ),
  }),
};

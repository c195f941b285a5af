/**
 * The indicator catalogue: the one place an indicator is declared.
 * ETL validation, GraphQL enums and descriptions, dashboards and docs are all generated from this list,
 * so adding an indicator is one entry here plus tests. Codes are the public contract: never rename one.
 */

export type Aggregation = 'sum' | 'last';
export type Disaggregation = 'sex' | 'age_group';
export type TargetOperator = '>=' | '>';

/**
 * The programme's areas of work, in the order the periodic report gives them (its section titles are these). Each
 * indicator belongs to one; the report's sections and the dashboards' lists are drawn from it.
 */
export const AREAS = [
  { code: 'outreach', titleVi: 'Công tác truyền thông, giáo dục phòng ngừa', titleEn: 'Outreach and prevention' },
  {
    code: 'cases',
    titleVi: 'Công tác đấu tranh, xử lý tội phạm mua bán người',
    titleEn: 'Fighting and prosecuting trafficking',
  },
  {
    code: 'victims',
    titleVi: 'Công tác tiếp nhận, xác minh, bảo vệ và hỗ trợ nạn nhân',
    titleEn: 'Receiving, identifying, protecting and supporting victims',
  },
  {
    code: 'models',
    titleVi: 'Mô hình phòng, chống mua bán người tại cộng đồng',
    titleEn: 'Community anti-trafficking models',
  },
] as const;
export type Area = (typeof AREAS)[number]['code'];

export interface Target {
  operator: TargetOperator;
  value: number;
  /** Where the target comes from, for the docs and the API's descriptions. */
  source: string;
}

interface IndicatorBase {
  code: string;
  /** The area of work it belongs to: where the periodic report and the dashboards place it. */
  area: Area;
  nameVi: string;
  nameEn: string;
  /** Unit of measure, as shown next to values. */
  unit: string;
}

/** A counted indicator, reported directly by units. */
export interface CountIndicator extends IndicatorBase {
  kind: 'count';
  /** `sum` for flows (they add up over time), `last` for stocks (latest value in the period). */
  aggregation: Aggregation;
  disaggregations: readonly Disaggregation[];
}

/** A ratio, computed as sum(numerator) / sum(denominator) × 100 over the whole selection. */
export interface RatioIndicator extends IndicatorBase {
  kind: 'ratio';
  numerator: string;
  /** An indicator code, or `wards_in_force`: the number of wards or communes under the unit in force at the period. */
  denominator: string;
  target: Target;
}

export type Indicator = CountIndicator | RatioIndicator;

export const SEXES = ['female', 'male'] as const;
/** child = under 16, as Vietnamese law defines a child; adult = 16 and over. */
export const AGE_GROUPS = ['child', 'adult'] as const;
/** The value stored in `sex` / `age_group` for a figure that is not disaggregated. */
export const TOTAL = 'total';

/** Denominator of model coverage: wards or communes under a unit, counted in the hierarchy in force. */
export const WARDS_IN_FORCE = 'wards_in_force';

const PROGRAMME = 'Chương trình PCMBN 2021–2025 (QĐ 193/QĐ-TTg); KH 04/KH-BCĐ Biên Hòa 2024';

function flow(
  area: Area,
  code: string,
  nameVi: string,
  nameEn: string,
  unit: string,
  disaggregated = false,
): CountIndicator {
  return {
    kind: 'count',
    area,
    code,
    nameVi,
    nameEn,
    unit,
    aggregation: 'sum',
    disaggregations: disaggregated ? ['sex', 'age_group'] : [],
  };
}

function stock(area: Area, code: string, nameVi: string, nameEn: string, unit: string): CountIndicator {
  return { kind: 'count', area, code, nameVi, nameEn, unit, aggregation: 'last', disaggregations: [] };
}

function ratio(
  area: Area,
  code: string,
  nameVi: string,
  nameEn: string,
  numerator: string,
  denominator: string,
  operator: TargetOperator,
  value: number,
  source = PROGRAMME,
): RatioIndicator {
  return {
    kind: 'ratio',
    area,
    code,
    nameVi,
    nameEn,
    unit: '%',
    numerator,
    denominator,
    target: { operator, value, source },
  };
}

export const INDICATORS: readonly Indicator[] = [
  flow('cases', 'tipoffs_received', 'Tố giác, tin báo, kiến nghị khởi tố tiếp nhận', 'Tip-offs received', 'tin'),
  flow(
    'cases',
    'tipoffs_classified',
    'Tố giác, tin báo, kiến nghị khởi tố được phân loại',
    'Tip-offs classified',
    'tin',
  ),
  flow('cases', 'tipoffs_resolved', 'Tố giác, tin báo, kiến nghị khởi tố được giải quyết', 'Tip-offs resolved', 'tin'),
  flow('cases', 'cases_initiated', 'Vụ án mua bán người khởi tố', 'Cases initiated', 'vụ'),
  flow('cases', 'cases_solved', 'Vụ án được điều tra, khám phá', 'Cases solved (cleared)', 'vụ'),
  flow('cases', 'cases_indicted', 'Vụ án được truy tố', 'Cases indicted', 'vụ'),
  flow('cases', 'cases_tried', 'Vụ án được xét xử', 'Cases tried', 'vụ'),
  flow('cases', 'suspects_prosecuted', 'Bị can bị khởi tố', 'Suspects prosecuted', 'bị can'),
  flow('victims', 'victims_identified', 'Nạn nhân được xác minh, xác định', 'Victims identified', 'người', true),
  flow('victims', 'victims_rescued', 'Nạn nhân được giải cứu', 'Victims rescued', 'người', true),
  flow('victims', 'victims_returned', 'Nạn nhân trở về được tiếp nhận', 'Victims returned and received', 'người', true),
  flow('victims', 'victims_supported', 'Nạn nhân được hỗ trợ', 'Victims supported', 'người', true),
  flow('victims', 'victims_legal_aid', 'Nạn nhân được trợ giúp pháp lý', 'Victims given legal aid', 'người', true),
  flow('outreach', 'outreach_sessions', 'Buổi tuyên truyền', 'Outreach sessions', 'buổi'),
  flow(
    'outreach',
    'outreach_participants',
    'Lượt người tham dự tuyên truyền',
    'Outreach participants (person-visits)',
    'lượt người',
  ),
  flow('outreach', 'leaflets_distributed', 'Tờ rơi cấp phát', 'Leaflets distributed', 'tờ'),
  flow('outreach', 'media_items', 'Tin, bài, phóng sự', 'Media items', 'tin bài'),
  flow('outreach', 'trainings_held', 'Lớp tập huấn', 'Trainings held', 'lớp'),
  flow('outreach', 'training_participants', 'Lượt người dự tập huấn', 'Training participants', 'lượt người'),
  flow('cases', 'illegal_exits_detected', 'Công dân xuất cảnh trái phép phát hiện', 'Illegal exits detected', 'người'),
  flow('cases', 'illegal_returns_detected', 'Công dân nhập cảnh trái phép trở về', 'Illegal returns detected', 'người'),
  flow('victims', 'hotline_calls', 'Cuộc gọi Tổng đài 111', 'Hotline 111 calls', 'cuộc gọi'),
  flow('cases', 'inspections_held', 'Cuộc kiểm tra', 'Inspections held', 'cuộc'),
  stock('models', 'community_models_active', 'Mô hình cộng đồng đang hoạt động', 'Community models active', 'mô hình'),
  stock(
    'models',
    'wards_with_model',
    'Xã, phường duy trì mô hình "03 không, 03 có"',
    'Wards keeping the "03 không, 03 có" model',
    'xã, phường',
  ),
  stock('cases', 'suspects_monitored', 'Đối tượng được quản lý, theo dõi', 'Suspects monitored', 'đối tượng'),
  stock(
    'cases',
    'persons_missing_suspected',
    'Người vắng mặt nghi bị mua bán',
    'Persons missing, suspected trafficked',
    'người',
  ),
  ratio(
    'cases',
    'tipoff_classification_rate',
    'Tỷ lệ tố giác, tin báo được phân loại',
    'Tip-off classification rate',
    'tipoffs_classified',
    'tipoffs_received',
    '>=',
    100,
  ),
  ratio(
    'cases',
    'tipoff_resolution_rate',
    'Tỷ lệ tố giác, tin báo được giải quyết',
    'Tip-off resolution rate',
    'tipoffs_resolved',
    'tipoffs_received',
    '>',
    90,
  ),
  ratio(
    'cases',
    'case_clearance_rate',
    'Tỷ lệ điều tra, khám phá vụ án',
    'Case clearance rate',
    'cases_solved',
    'cases_initiated',
    '>',
    90,
  ),
  ratio(
    'cases',
    'indictment_rate',
    'Tỷ lệ vụ án được truy tố',
    'Indictment rate',
    'cases_indicted',
    'cases_solved',
    '>=',
    95,
  ),
  ratio('cases', 'trial_rate', 'Tỷ lệ vụ án được xét xử', 'Trial rate', 'cases_tried', 'cases_indicted', '>=', 90),
  ratio(
    'victims',
    'victim_support_rate',
    'Tỷ lệ nạn nhân trở về được hỗ trợ',
    'Victim support rate',
    'victims_supported',
    'victims_returned',
    '>=',
    100,
  ),
  ratio(
    'models',
    'model_coverage_rate',
    'Tỷ lệ xã, phường duy trì mô hình "03 không, 03 có"',
    'Community model coverage rate',
    'wards_with_model',
    WARDS_IN_FORCE,
    '>=',
    100,
    'KH Lai Châu 2024: 07/07 xã, phường',
  ),
];

const byCode = new Map(INDICATORS.map((i) => [i.code, i]));

export function findIndicator(code: string): Indicator | undefined {
  return byCode.get(code);
}

export const COUNT_INDICATORS = INDICATORS.filter((i): i is CountIndicator => i.kind === 'count');
export const RATIO_INDICATORS = INDICATORS.filter((i): i is RatioIndicator => i.kind === 'ratio');

/** The indicators of an area, in the catalogue's order. */
export function indicatorsOf(area: Area): Indicator[] {
  return INDICATORS.filter((i) => i.area === area);
}

/** Whether a value meets a target. */
export function meetsTarget(value: number, target: Target): boolean {
  return target.operator === '>=' ? value >= target.value : value > target.value;
}

/** A value against its indicator's target, as every answer and the report show it. */
export type TargetStatus = 'MET' | 'NOT_MET' | 'NO_TARGET' | 'NO_DATA';

/**
 * The status of a value: only ratios have targets, so a count is `NO_TARGET` whatever its value; a ratio without a
 * value (no data, or withheld: the caller passes null) is `NO_DATA`.
 */
export function targetStatus(value: number | null, indicator: Indicator): TargetStatus {
  if (indicator.kind !== 'ratio') return 'NO_TARGET';
  if (value === null) return 'NO_DATA';
  return meetsTarget(value, indicator.target) ? 'MET' : 'NOT_MET';
}

/**
 * Pairs (smaller, larger) that should hold within one unit and period: a breach is implausible, not impossible
 * (a tip-off received last quarter may be resolved this one), so the ETL flags it as a warning and keeps the value.
 */
export const PLAUSIBILITY_CHECKS: readonly { part: string; whole: string }[] = [
  { part: 'tipoffs_classified', whole: 'tipoffs_received' },
  { part: 'tipoffs_resolved', whole: 'tipoffs_received' },
  { part: 'cases_solved', whole: 'cases_initiated' },
  { part: 'cases_indicted', whole: 'cases_solved' },
  { part: 'cases_tried', whole: 'cases_indicted' },
  { part: 'victims_supported', whole: 'victims_returned' },
];

/**
 * The six dashboards, and the indicator lists they show.
 */
import { indicatorsOf } from '../../schema/catalogue.ts';
import { indicator, label } from './labels.ts';
import { V } from './infinity.ts';
import { queries } from './queries.ts';
import {
  AGE,
  bars,
  bySeries,
  complianceColumns,
  complianceFigures,
  type DashboardSpec,
  funnel,
  type PanelSpec,
  PROVINCES,
  ranking,
  rankingTitle,
  type RowSpec,
  SEX,
  stat,
  trend,
  UNDER_UNIT,
} from './panels.ts';
import { unitVariable, variables } from './variables.ts';

const HEADLINE = [
  'victims_returned',
  'outreach_participants',
  'tipoff_resolution_rate',
  'case_clearance_rate',
  'indictment_rate',
  'trial_rate',
].map(indicator);
const HEADLINE_TRENDS = [
  'victims_returned',
  'outreach_participants',
  'case_clearance_rate',
  'tipoff_resolution_rate',
].map(indicator);
/** The victims' counts, each broken down by sex and age (the hotline's calls are of the area but not of a person). */
const VICTIMS = indicatorsOf('victims').filter((i) => i.kind === 'count' && i.disaggregations.includes('sex'));
const OUTREACH = indicatorsOf('outreach').filter((i) => i.kind === 'count');
const MODEL = ['model_coverage_rate', 'wards_with_model', 'community_models_active'].map(indicator);
const TIPOFF_FUNNEL = ['tipoffs_received', 'tipoffs_classified', 'tipoffs_resolved'].map(indicator);
const CASE_FUNNEL = ['cases_initiated', 'cases_solved', 'cases_indicted', 'cases_tried'].map(indicator);
const CASE_RATES = [
  'tipoff_classification_rate',
  'tipoff_resolution_rate',
  'case_clearance_rate',
  'indictment_rate',
  'trial_rate',
].map(indicator);

function headlineRow(): RowSpec {
  return {
    title: label('Chỉ tiêu chính trong năm', 'Headline indicators for the year'),
    panels: HEADLINE.map((i) => stat(i)),
  };
}

function trendsRow(): RowSpec {
  return {
    title: label(
      'Xu hướng từ 2019 đến nay, qua cải cách 1/7/2025',
      'Trends from 2019 to today, across the 1 July 2025 reform',
    ),
    panels: HEADLINE_TRENDS.map((i) => trend(i)),
  };
}

export const DASHBOARDS: readonly DashboardSpec[] = [
  {
    uid: 'pcmbn-overview',
    title: label('Tổng quan', 'National overview'),
    description: label(
      'Chỉ tiêu chính của Chương trình phòng, chống mua bán người trên toàn quốc: năm đã chọn so với năm trước, xu ' +
        'hướng và xếp hạng tỉnh, thành phố.',
      'Headline indicators of the anti-trafficking programme nationwide: the chosen year against the year before, ' +
        'trends, and province rankings.',
    ),
    // Leaders read the national trends by quarter, the rhythm of the programme's own reports; months are a pick away.
    variables: [unitVariable('nation'), variables.year(), variables.granularity('QUARTER')],
    annotations: true,
    rows: [
      headlineRow(),
      trendsRow(),
      {
        title: label('Xếp hạng tỉnh, thành phố trong năm', 'Province rankings for the year'),
        panels: [
          ranking(indicator('case_clearance_rate'), 'desc', 5, PROVINCES),
          ranking(indicator('case_clearance_rate'), 'asc', 5, PROVINCES),
          ranking(indicator('outreach_participants'), 'desc', 5, PROVINCES),
          ranking(indicator('outreach_participants'), 'asc', 5, PROVINCES),
        ],
      },
    ],
  },
  {
    uid: 'pcmbn-province',
    title: label('Tỉnh, thành phố', 'Province'),
    description: label(
      'Một tỉnh, thành phố (danh mục từ 1/7/2025): chỉ tiêu chính, xu hướng nối qua cải cách, xếp hạng xã, phường. ' +
        'Tỉnh cũ trước cải cách: chọn ở ô Đơn vị (danh mục cũ).',
      'One province (the list from 1 July 2025): headline indicators, trends across the reform, communes ranked. An ' +
        'old province before the reform: pick it in the Unit box (old list).',
    ),
    variables: [
      unitVariable('province'),
      variables.year(),
      variables.granularity('MONTH'),
      variables.indicator('outreach_participants'),
      variables.old(),
      variables.oldYear(),
    ],
    annotations: true,
    rows: [
      headlineRow(),
      trendsRow(),
      {
        title: label('Xã, phường trong năm, danh mục hiện hành', "Communes in the year, today's list"),
        panels: [
          {
            kind: 'ranking',
            id: 'communes',
            indicator: 'variable',
            order: 'desc',
            w: 24,
            h: 12,
            title: rankingTitle(null, 'desc', undefined, label('xã, phường', 'communes')),
            queries: [queries.breakdown(V.indicator)],
          },
        ],
      },
      {
        title: label('Trước cải cách 1/7/2025: tỉnh cũ', 'Before the 1 July 2025 reform: the old province'),
        panels: [
          {
            kind: 'ranking',
            id: 'old-districts',
            indicator: 'variable',
            order: 'desc',
            w: 12,
            h: 12,
            grafanaOnly: true,
            title: label('Huyện, thị xã, thành phố của tỉnh cũ', 'Districts of the old province'),
            queries: [queries.breakdown(V.indicator, { unit: V.old, period: V.oldYear, level: 'DISTRICT' })],
          },
          {
            kind: 'ranking',
            id: 'old-wards',
            indicator: 'variable',
            order: 'desc',
            w: 12,
            h: 12,
            grafanaOnly: true,
            title: label('Xã, phường, thị trấn của tỉnh cũ', 'Wards of the old province'),
            queries: [queries.breakdown(V.indicator, { unit: V.old, period: V.oldYear, level: 'WARD' })],
          },
        ],
      },
    ],
  },
  {
    uid: 'pcmbn-victims',
    title: label('Nạn nhân', 'Victims'),
    description: label(
      'Nạn nhân được xác minh, giải cứu, tiếp nhận, hỗ trợ và trợ giúp pháp lý, theo giới tính và độ tuổi; tỷ lệ hỗ ' +
        'trợ so với mục tiêu. Số nhỏ được ẩn để bảo vệ nạn nhân.',
      'Victims identified, rescued, returned, supported and given legal aid, by sex and age; the support rate ' +
        'against its target. Small numbers are withheld to protect victims.',
    ),
    variables: [unitVariable('provinceOrNation'), variables.year(), variables.granularity('YEAR')],
    annotations: true,
    rows: [
      {
        title: label('Nạn nhân trong năm', 'Victims in the year'),
        panels: [...VICTIMS.map((i) => stat(i)), stat(indicator('victim_support_rate'))],
      },
      {
        title: label('Theo giới tính và độ tuổi', 'By sex and age'),
        panels: [
          bars('by-sex', label('Nạn nhân theo giới tính', 'Victims by sex'), VICTIMS, SEX),
          bars('by-age', label('Nạn nhân theo độ tuổi', 'Victims by age group'), VICTIMS, AGE),
        ],
      },
      {
        title: label('Xu hướng', 'Trends'),
        panels: [
          bySeries(
            indicator('victims_returned'),
            'returned-by-sex',
            label('Nạn nhân trở về theo giới tính', 'Victims returned by sex'),
            SEX,
          ),
          trend(indicator('victim_support_rate')),
        ],
      },
    ],
  },
  {
    uid: 'pcmbn-outreach',
    title: label('Truyền thông', 'Outreach'),
    description: label(
      'Tuyên truyền, tập huấn và mô hình "03 không, 03 có" ở cơ sở.',
      'Outreach sessions, participants, leaflets, media items and trainings, and the "03 không, 03 có" community ' +
        'model.',
    ),
    variables: [unitVariable('provinceOrNation'), variables.year(), variables.granularity('MONTH')],
    annotations: true,
    rows: [
      {
        title: label('Tuyên truyền, tập huấn trong năm', 'Outreach and training in the year'),
        panels: OUTREACH.map((i) => stat(i)),
      },
      {
        title: label('Mô hình "03 không, 03 có"', 'The "03 không, 03 có" model'),
        panels: [...MODEL.map((i) => stat(i, 6)), ranking(indicator('model_coverage_rate'), 'asc', 10, UNDER_UNIT)],
      },
      {
        title: label('Xu hướng', 'Trends'),
        panels: [trend(indicator('outreach_sessions')), trend(indicator('outreach_participants'))],
      },
    ],
  },
  {
    uid: 'pcmbn-cases',
    title: label('Điều tra, truy tố, xét xử', 'Case resolution'),
    description: label(
      'Từ tố giác, tin báo đến xét xử: tiếp nhận → phân loại → giải quyết, khởi tố → điều tra, khám phá → truy tố → ' +
        'xét xử; mỗi tỷ lệ so với mục tiêu.',
      'From tip-offs to trials: received → classified → resolved, and cases initiated → solved → indicted → tried; ' +
        'each rate against its target.',
    ),
    variables: [unitVariable('provinceOrNation'), variables.year(), variables.granularity('QUARTER')],
    annotations: true,
    rows: [
      {
        title: label('Các bước trong năm', 'The steps in the year'),
        panels: [
          funnel('tipoff-funnel', label('Tố giác, tin báo, kiến nghị khởi tố', 'Tip-offs'), TIPOFF_FUNNEL),
          funnel('case-funnel', label('Vụ án mua bán người', 'Trafficking cases'), CASE_FUNNEL),
        ],
      },
      {
        title: label('Tỷ lệ so với mục tiêu', 'Rates against their targets'),
        panels: CASE_RATES.map((i) => stat(i, i === CASE_RATES[0] ? 8 : 4)),
      },
      {
        title: label('Tỷ lệ theo thời gian', 'Rates over time'),
        panels: CASE_RATES.map((i, n) => trend(i, n < 3 ? 8 : 12)),
      },
    ],
  },
  {
    uid: 'pcmbn-compliance',
    title: label('Chấp hành chế độ báo cáo', 'Reporting compliance'),
    description: label(
      'Báo cáo định kỳ phải nộp, đã nhận đúng hạn, muộn hoặc chưa nộp (KH 04/KH-BCĐ: báo cáo tháng trước ngày 12 ' +
        'tháng sau).',
      'Periodic reports expected, received on time, late or missing (plan 04/KH-BCĐ: a monthly report before the ' +
        '12th of the next month).',
    ),
    variables: [unitVariable('provinceOrNation'), variables.month()],
    annotations: false,
    rows: [
      {
        title: label('Tổng hợp', 'Summary'),
        panels: [
          {
            kind: 'figures',
            id: 'summary',
            w: 24,
            h: 5,
            title: label('Chấp hành chế độ báo cáo tháng', 'Monthly reporting compliance'),
            figures: complianceFigures(['completeness', 'timeliness', 'expected', 'received', 'late']),
            queries: [queries.compliance()],
          },
        ],
      },
      {
        title: label('Theo đơn vị', 'By unit'),
        panels: [
          {
            kind: 'table',
            id: 'by-unit',
            w: 14,
            h: 14,
            title: label('Tỷ lệ đầy đủ, đúng hạn theo đơn vị', 'Completeness and timeliness by unit'),
            columns: complianceColumns([
              'expected',
              'received',
              'onTime',
              'late',
              'missing',
              'completeness',
              'timeliness',
            ]),
            sort: { alias: 'completeness', desc: false },
            queries: [queries.complianceByUnit()],
          },
          {
            kind: 'table',
            id: 'missing',
            w: 10,
            h: 14,
            title: label('Đơn vị chưa báo cáo', 'Missing reports'),
            description: label(
              'Đơn vị phải báo cáo mà chưa nộp khi đã đến hạn.',
              'Units expected to report that had not reported by the due date.',
            ),
            columns: [
              { alias: 'name', label: label('Đơn vị', 'Unit'), format: 'text' },
              { alias: 'parent', label: label('Trực thuộc', 'Under'), format: 'text' },
              { alias: 'ref', label: label('Mã', 'Code'), format: 'text' },
            ],
            queries: [queries.missingReports()],
          },
        ],
      },
    ],
  },
];

export const CAMPAIGNS = queries.campaigns();

export function findDashboard(uid: string): DashboardSpec | undefined {
  return DASHBOARDS.find((d) => d.uid === uid);
}

export function allPanels(d: DashboardSpec): PanelSpec[] {
  return d.rows.flatMap((r) => r.panels);
}

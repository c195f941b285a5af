/**
 * The report's wording from its data (api/report/compose.ts), without a server: the viewer's note follows the role
 * rule, and section II names the units that reported late as it names those that did not report.
 */
import { describe, expect, it } from 'vitest';
import { ROLES, withholdsSmallCounts } from '../../api/auth/roles.ts';
import { composeReport, toMarkdown } from '../../api/report/compose.ts';
import type { Figure, ReportData } from '../../api/report/gather.ts';
import { findIndicator } from '../../schema/catalogue.ts';
import { parsePeriod, previousYear } from '../../schema/periods.ts';
import type { Role } from '../../schema/tables.ts';

function figure(code: string, value: number | null, suppressed = false): Figure {
  return {
    indicator: findIndicator(code)!,
    value,
    previousValue: null,
    suppressed,
    complete: true,
    status: 'NO_TARGET',
    sources: [],
    parts: {},
    contributors: [],
  };
}

function data(role: Role, late: string[]): ReportData {
  const period = parsePeriod('2026Q3');
  return {
    unit: { ref: '2025-07:12', name: 'Lai Châu', fullName: 'Tỉnh Lai Châu', level: 'PROVINCE' },
    period,
    previous: previousYear(period),
    role,
    figures: [figure('cases_initiated', 3), figure('victims_rescued', null, true)],
    compliance: {
      expected: 5,
      received: 2 + late.length,
      onTime: 2,
      late: late.length,
      pending: 0,
      dueDate: '2026-09-12',
      completeness: ((2 + late.length) / 5) * 100,
      missing: [{ ref: '2025-07:00001', fullName: 'Xã Một' }],
      lateUnits: late.map((name, i) => ({ ref: `2025-07:0001${i}`, fullName: name })),
    },
    discrepancies: [],
  };
}

const report = (role: Role, late: string[] = []) => toMarkdown(composeReport(data(role, late), '2026-12-06'));

describe('composeReport', () => {
  it('notes withheld figures for the roles that withhold small counts, and only for them', () => {
    for (const role of ROLES)
      expect(report(role).includes('báo cáo lập với quyền xem (viewer)'), role).toBe(withholdsSmallCounts(role));
    expect(report('viewer')).toContain('Nạn nhân được giải cứu: số liệu được giữ kín');
  });

  it('names the units that reported late, before those that did not report', () => {
    const md = report('leader', ['Xã Hai', 'Phường Ba']);
    expect(md).toContain('đã nhận 04, trong đó đúng hạn 02, chậm hạn 02; chưa gửi 01.');
    expect(md).toContain('- Đơn vị gửi báo cáo chậm hạn: Xã Hai, Phường Ba.\n- Đơn vị chưa gửi báo cáo: Xã Một.');
    expect(report('leader')).not.toContain('Đơn vị gửi báo cáo chậm hạn');
  });
});

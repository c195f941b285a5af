/**
 * The ways of writing a figure that reports nobody tuned for use (README, "Reports written in prose"): figures of
 * other periods beside the period's, defendants after truy tố/xét xử, an informal list of `Label: figure` lines,
 * "01/01 mô hình", and tables pasted from Word as text. Each is a short report read whole, as a file would be.
 */
import { describe, expect, it } from 'vitest';
import { extractReport, type ReportExtraction, reviewText } from '../../etl/extract/report.ts';
import { loadRules } from '../../etl/extract/rules.ts';

const rules = loadRules();

function read(text: string, period = '2024S1', unit = '426'): ReportExtraction {
  return extractReport({ name: 'r.txt', raw: text }, { unit, period, rules, today: '2026-01-01' });
}

/** The figures proposed, as `indicator[/sex|/age] = value[~bound]`, in the order read. */
function taken(x: ReportExtraction): string[] {
  return x.mentions.map(
    (m) =>
      `${m.indicator}${m.sex ? `/${m.sex}` : ''}${m.age_group ? `/${m.age_group}` : ''} = ` +
      `${m.value}${m.bound === 'exact' ? '' : `~${m.bound}`}`,
  );
}

describe('figures of other periods are set aside, with the reason', () => {
  it('cumulative since an earlier year, an earlier year in brackets, and a difference', () => {
    const x = read(
      'Năm 2021, lực lượng chức năng khởi tố 09 vụ án mua bán người với 17 bị can (năm 2020: 11 vụ, 19 bị can); ' +
        'giải cứu 05 nạn nhân. Lũy kế từ năm 2011 đến nay, toàn tỉnh khởi tố 186 vụ; tiếp nhận 605 nạn nhân. ' +
        'So với năm 2020, số buổi tuyên truyền tăng 46 buổi.',
      '2021',
      '22',
    );
    expect(taken(x)).toEqual(['cases_initiated = 9', 'suspects_prosecuted = 17', 'victims_rescued = 5']);
    expect(x.otherPeriods.map((o) => [o.figure.text, o.reason, o.because])).toEqual([
      ['11 vụ', 'earlier period', 'năm 2020:'],
      ['19 bị can', 'earlier period', 'năm 2020:'],
      ['186 vụ', 'cumulative', 'Lũy kế'],
      ['605 nạn nhân', 'cumulative', 'Lũy kế'],
      ['46 buổi', 'difference between periods', 'tăng'],
    ]);
    expect(x.otherPeriods.map((o) => o.indicators.join('+'))).toContain('cases_initiated');
  });

  it('the same period last year, a plan, and "from the start of the year" in a report that starts later', () => {
    const x = read(
      '- Tuyên truyền: 07 buổi, khoảng 180 người nghe.\n' +
        '- Từ đầu năm đến nay: 19 buổi tuyên truyền; tiếp nhận 03 nạn nhân trở về.\n' +
        '- Cùng kỳ năm trước: 05 buổi tuyên truyền.\n' +
        '- Dự kiến tổ chức 06 buổi tuyên truyền; sẽ in 500 tờ rơi.\n' +
        '- Công an xã phát hiện 12 công dân xuất cảnh trái phép, giảm 06 trường hợp so với cùng kỳ năm 2023.',
      '2025Q4',
      '03160',
    );
    expect(taken(x)).toEqual([
      'outreach_sessions = 7',
      'outreach_participants = 180~approx',
      'illegal_exits_detected = 12',
    ]);
    expect(x.otherPeriods.map((o) => `${o.value} ${o.reason}`)).toEqual([
      '19 cumulative',
      '3 cumulative',
      '5 earlier period',
      '6 planned',
      '500 planned',
      '6 difference between periods',
    ]);
  });

  it('"từ đầu năm" is the period itself in a report of a year or its first half; a stock to date is the period\'s', () => {
    const x = read(
      'Từ đầu năm đến nay, Công an huyện tổ chức 14 buổi tuyên truyền. Từ năm 2010 đến nay có 25 người vắng mặt tại ' +
        'địa phương, nghi bị mua bán.',
    );
    expect(taken(x)).toEqual(['outreach_sessions = 14', 'persons_missing_suspected = 25']);
    expect(x.otherPeriods).toEqual([]);
  });

  it('the review lists them apart, never in a proposal', () => {
    const x = read('Khởi tố 02 vụ (cùng kỳ 2023: 03 vụ).');
    expect(x.proposals.map((p) => [p.indicator, p.value])).toEqual([['cases_initiated', 2]]);
    expect(reviewText(x)).toContain(
      'set aside, another period (1: never proposed):\n  3  "03 vụ"  [29–34] earlier period ("cùng kỳ"), would be ' +
        'cases_initiated\n',
    );
  });
});

describe('defendants', () => {
  it(
    'bị can after truy tố or xét xử are not suspects prosecuted (khởi tố bị can), even after a khởi tố in the ' +
      'sentence',
    () => {
      const x = read(
        'Cơ quan điều tra khởi tố 09 vụ án với 17 bị can, Viện kiểm sát truy tố 07 vụ/15 bị can, Tòa án xét xử 06 ' +
          'vụ/13 bị cáo. ' +
          'Công an huyện khởi tố 03 vụ, truy tố 04 vụ/09 bị can.',
      );
      expect(taken(x)).toEqual([
        'cases_initiated = 9',
        'suspects_prosecuted = 17',
        'cases_indicted = 7',
        'cases_tried = 6',
        'cases_initiated = 3',
        'cases_indicted = 4',
      ]);
      expect(x.unmapped.map((u) => u.value)).toEqual([15, 13, 9]);
    },
  );
});

describe('an informal list of "Label: figure" lines', () => {
  it('the label names what is counted: a figure, a zero statement, victims with their sex in brackets', () => {
    const x = read(
      '- Vụ việc mua bán người: không phát hiện trường hợp nào.\n' +
        '- Xuất cảnh trái phép: không phát hiện trường hợp nào.\n' +
        '- Nạn nhân trở về: tiếp nhận, hỗ trợ 01 người (nữ).\n' +
        '- Người vắng mặt tại địa phương nghi bị mua bán: 06 người, đang xác minh.\n' +
        '- Đang xác minh: 02 người.\n' +
        '- Tin báo về mua bán người: không có.',
      '2025Q4',
      '03160',
    );
    expect(taken(x)).toEqual([
      'cases_initiated = 0',
      'illegal_exits_detected = 0',
      'victims_returned = 1',
      'victims_supported = 1',
      'victims_returned/female = 1',
      'victims_supported/female = 1',
      'persons_missing_suspected = 6',
      'tipoffs_received = 0',
    ]);
    expect(x.mentions.find((m) => m.value === 6)?.notes).toContain(
      'what is counted is named by the label "Người vắng mặt tại địa phương nghi bị mua bán"',
    );
    expect(x.unmapped.map((u) => u.value)).toEqual([2]);
  });

  it('"Duy trì 01/01 mô hình": the wards keeping the model, 1 of 1; a plain number of models stays models', () => {
    const x = read(
      'Duy trì 01/01 mô hình "Phòng, chống mua bán người". Duy trì 18 mô hình tự quản.',
      '2025Q4',
      '03160',
    );
    expect(taken(x)).toEqual(['wards_with_model = 1', 'community_models_active = 18']);
  });
});

describe('tables pasted from Word as text', () => {
  it('a row of "Label: value" cells separated by |, under a heading it is not joined to', () => {
    const x = read(
      '1. Tiếp nhận, giải quyết nguồn tin (trích bảng số liệu của Công an huyện)\n' +
        'Tiếp nhận tố giác, tin báo: 06 | Phân loại: 06 | Giải quyết: 05 | Đang xác minh: 01\n\n' +
        'Xuất cảnh trái phép: 34 trường hợp | Nhập cảnh trái phép: 52 trường hợp',
    );
    expect(taken(x)).toEqual([
      'tipoffs_received = 6',
      'tipoffs_classified = 6',
      'tipoffs_resolved = 5',
      'illegal_exits_detected = 34',
      'illegal_returns_detected = 52',
    ]);
    expect(x.unmapped.map((u) => u.value)).toEqual([1]);
  });

  it('a header line of labels over lines of values, by tabs or |; a "Cùng kỳ 2023" column is another period', () => {
    const x = read(
      'Khởi tố vụ\tKhởi tố bị can\tĐiều tra làm rõ\tTruy tố\tXét xử\tCùng kỳ 2023\n' +
        '02\t04\t02\t01\t01\t03\n\n' +
        'Nạn nhân trở về | Trong đó nữ | Trẻ em | Được hỗ trợ | Cùng kỳ 2023\n' +
        '05 | 04 | 01 | 05 | 02\n',
    );
    expect(taken(x)).toEqual([
      'cases_initiated = 2',
      'suspects_prosecuted = 4',
      'cases_solved = 2',
      'cases_indicted = 1',
      'cases_tried = 1',
      'victims_returned = 5',
      'victims_returned/female = 4',
      'victims_returned/child = 1',
      'victims_supported = 5',
    ]);
    expect(x.otherPeriods.map((o) => [o.value, o.reason, o.because])).toEqual([
      [3, 'earlier period', 'Cùng kỳ'],
      [2, 'earlier period', 'Cùng kỳ'],
    ]);
    // The citation is the value; its column's label is in the notes, and the offsets point at the value.
    const solved = x.mentions.find((m) => m.indicator === 'cases_solved')!;
    expect(solved.notes.join(' ')).toContain('"Điều tra làm rõ"');
    expect(
      Array.from('Khởi tố vụ\tKhởi tố bị can\tĐiều tra làm rõ\tTruy tố\tXét xử\tCùng kỳ 2023\n02\t04\t02\t01\t01\t03')
        .slice(solved.figure.start, solved.figure.end)
        .join(''),
    ).toBe('02');
  });

  it('a Markdown table, one row per agency: each row its agency, the columns their indicators', () => {
    const x = read(
      '| Đơn vị | Số buổi tuyên truyền | Lượt người dự | Tờ rơi |\n' +
        '| --- | ---: | ---: | ---: |\n' +
        '| Công an huyện | 14 | 2.150 | 1.200 |\n' +
        '| Hội LHPN huyện | 9 | 870 | 600 |\n',
    );
    expect(taken(x)).toEqual([
      'outreach_sessions = 14',
      'outreach_participants = 2150',
      'leaflets_distributed = 1200',
      'outreach_sessions = 9',
      'outreach_participants = 870',
      'leaflets_distributed = 600',
    ]);
    expect(x.mentions.map((m) => m.agency)).toEqual([
      'Công an huyện',
      'Công an huyện',
      'Công an huyện',
      'Hội LHPN huyện',
      'Hội LHPN huyện',
      'Hội LHPN huyện',
    ]);
  });
});

describe('tables by period and sections of plans', () => {
  it("a table whose rows are the indicators and whose columns are periods: only this period's column is taken", () => {
    const x = read(
      'Nội dung\tKỳ này\tCùng kỳ năm 2023\tTăng, giảm\n' +
        'Khởi tố vụ án\t02\t03\t-1\n' +
        'Tiếp nhận nạn nhân trở về\t05\t02\t3\n',
    );
    expect(taken(x)).toEqual(['cases_initiated = 2', 'victims_returned = 5']);
    expect(x.otherPeriods.map((o) => `${o.value} ${o.reason} ${o.indicators.join('+')}`)).toEqual([
      '3 earlier period cases_initiated',
      '1 difference between periods cases_initiated',
      '2 earlier period victims_returned',
      '3 difference between periods victims_returned',
    ]);
    expect(x.mentions.map((m) => m.agency)).toEqual([null, null]);
  });

  it('a column headed by another year is another period', () => {
    const x = read('Chỉ tiêu | Năm 2024 | Năm 2023\nSố buổi tuyên truyền | 36 | 30\n', '2024', '213');
    expect(taken(x)).toEqual(['outreach_sessions = 36']);
    expect(x.otherPeriods.map((o) => `${o.value} ${o.reason}`)).toEqual(['30 earlier period']);
  });

  it('a section of plans ("Phương hướng, nhiệm vụ …") holds no figure of the period, until the next heading', () => {
    const x = read(
      'II. KẾT QUẢ\n\nCông an huyện tổ chức 14 buổi tuyên truyền.\n\n' +
        'III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM\n\n1. Tổ chức 20 buổi tuyên truyền tại các xã.\n\n' +
        '2. Mở 02 lớp tập huấn cho cán bộ.\n\nIV. KIẾN NGHỊ\n\nĐã tiếp nhận 03 nạn nhân trở về.',
    );
    expect(taken(x)).toEqual(['outreach_sessions = 14', 'victims_returned = 3']);
    expect(x.otherPeriods.map((o) => `${o.value} ${o.reason} ${o.because}`)).toEqual([
      '20 planned PHƯƠNG HƯỚNG',
      '2 planned PHƯƠNG HƯỚNG',
    ]);
  });
});

describe('where the scope of another period ends', () => {
  it(
    'what is compared with is that period\'s, brackets included; a plan ends with its statement; "chỉ tiêu" met is ' +
      'no plan',
    () => {
      const x = read(
        'Khởi tố 02 vụ, giảm 03 vụ so với cùng kỳ năm 2023 (05 vụ). ' +
          'Hoàn thành 100% chỉ tiêu, tổ chức 25 buổi tuyên truyền. ' +
          'Huyện đoàn dự kiến tổ chức 10 buổi truyền thông; Hội Phụ nữ đã phát 300 tờ rơi.',
      );
      expect(taken(x)).toEqual(['cases_initiated = 2', 'outreach_sessions = 25', 'leaflets_distributed = 300']);
      expect(x.otherPeriods.map((o) => `${o.value} ${o.reason} ${o.because}`)).toEqual([
        '3 difference between periods giảm',
        '5 earlier period so với',
        '10 planned dự kiến',
      ]);
    },
  );
});

describe('other periods in a text typed without diacritics', () => {
  it('reads the same words folded, and "chia se" (chia sẻ, to share) is not "sẽ"', () => {
    const x = read(
      'Cong an xa chia se thong tin, to chuc 05 buoi tuyen truyen. Luy ke tu nam 2011 den nay tiep nhan 12 nan nhan. ' +
        'Du kien to chuc 06 buoi tuyen truyen.',
      '2024',
      '07510',
    );
    expect(taken(x)).toEqual(['outreach_sessions = 5']);
    expect(x.otherPeriods.map((o) => `${o.value} ${o.reason}`)).toEqual(['12 cumulative', '6 planned']);
  });
});

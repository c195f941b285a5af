import { describe, expect, it } from 'vitest';
import {
  parseReferenceList,
  readReform,
  readUnitList,
  UNIT_LIST_COLUMNS,
  type UnitListRow,
} from '../../schema/reference.ts';

describe('the reference lists', () => {
  it('holds the counts SOURCE.md states: 63 provinces, 696 districts, 10,047 wards; 34 provinces, 3,321 communes', () => {
    const count = (rows: UnitListRow[], level: string) => rows.filter((r) => r.level === level).length;
    const old = readUnitList('2025-03');
    expect([count(old, 'province'), count(old, 'district'), count(old, 'ward')]).toEqual([63, 696, 10_047]);
    const now = readUnitList('2025-07');
    expect([count(now, 'province'), count(now, 'commune')]).toEqual([34, 3_321]);
    // Names hold spaces and diacritics; the reader takes them whole.
    expect(old.find((r) => r.code === '318')).toMatchObject({
      level: 'district',
      name: 'Bạch Long Vĩ',
      parent_code: '31',
    });
  });

  it('maps every old ward split in pieces with partial rows, the rest full', () => {
    const reform = readReform();
    const pieces = new Map<string, number>();
    for (const r of reform) pieces.set(r.old_code, (pieces.get(r.old_code) ?? 0) + 1);
    for (const r of reform) expect(r.transfer).toBe(pieces.get(r.old_code)! > 1 ? 'partial' : 'full');
    expect([...pieces.values()].filter((n) => n > 1)).toHaveLength(460);
  });
});

describe('parseReferenceList', () => {
  const header = UNIT_LIST_COLUMNS.join(',');

  it('reads plain and quoted text alike (RFC 4180), with CRLF line ends and a byte-order mark', () => {
    const plain = parseReferenceList<UnitListRow>(
      'x.csv',
      `${header}\nward,00004,Phường,Ba Đình,001\n`,
      UNIT_LIST_COLUMNS,
    );
    const quoted = parseReferenceList<UnitListRow>(
      'x.csv',
      `\uFEFF${header}\r\nward,00004,"Phường","Ba Đình",001\r\n`,
      UNIT_LIST_COLUMNS,
    );
    expect(quoted).toEqual(plain);
    expect(plain).toEqual([{ level: 'ward', code: '00004', type: 'Phường', name: 'Ba Đình', parent_code: '001' }]);
    // A comma inside quotes is part of the name, not a column.
    const comma = parseReferenceList<UnitListRow>('x.csv', `${header}\nward,1,"Xã","A, B",2\n`, UNIT_LIST_COLUMNS);
    expect(comma[0]).toMatchObject({ name: 'A, B', parent_code: '2' });
  });

  it('refuses another header, and a record with a field too many or too few, naming the file', () => {
    expect(() => parseReferenceList('x.csv', 'level,code,name\nward,1,A\n', UNIT_LIST_COLUMNS)).toThrow(
      /schema\/reference\/x\.csv: expected the columns level,code,type,name,parent_code/,
    );
    expect(() => parseReferenceList('x.csv', `${header}\nward,1,Xã,A,B,2\n`, UNIT_LIST_COLUMNS)).toThrow(
      /x\.csv: record 2 has 6 fields, expected 5/,
    );
    expect(() => parseReferenceList('x.csv', `${header}\nward,1,"Xã",A\n`, UNIT_LIST_COLUMNS)).toThrow(
      /record 2 has 4 fields/,
    );
  });
});

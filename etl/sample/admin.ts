/** Administrative units, from the reference lists (read through schema/reference.ts). */
import { readReform, readUnitList } from '../../schema/reference.ts';
import type { HierarchyVersion } from '../../schema/tables.ts';

/** The unit list a file's codes belong to. */
export type List = HierarchyVersion;
export const OLD_LIST: List = '2025-03';
export const NEW_LIST: List = '2025-07';

export interface AdminLists {
  oldProvinces: string[];
  /** Old province → its districts (including the island districts without wards). */
  districtsOf: Map<string, string[]>;
  /** Old district → its wards. */
  wardsOf: Map<string, string[]>;
  newProvinces: string[];
  communesOf: Map<string, string[]>;
  /** Old province → new province. */
  successorOf: Map<string, string>;
  /** New commune → the old leaves it came from, with the share of each (1, or 1/k for a ward split in k). */
  predecessorsOf: Map<string, { code: string; province: string; share: number }[]>;
}

let adminCache: AdminLists | undefined;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function adminLists(): AdminLists {
  if (adminCache) return adminCache;
  const oldProvinces: string[] = [];
  const districtsOf = new Map<string, string[]>();
  const wardsOf = new Map<string, string[]>();
  const provinceOfOld = new Map<string, string>();
  const districtOfWard = new Map<string, string>();
  for (const { level, code, parent_code: parent } of readUnitList(OLD_LIST)) {
    if (level === 'province') oldProvinces.push(code);
    else if (level === 'district') {
      push(districtsOf, parent, code);
      provinceOfOld.set(code, parent);
    } else {
      push(wardsOf, parent, code);
      districtOfWard.set(code, parent);
    }
  }
  for (const [ward, district] of districtOfWard) provinceOfOld.set(ward, provinceOfOld.get(district)!);

  const newProvinces: string[] = [];
  const communesOf = new Map<string, string[]>();
  for (const { level, code, parent_code: parent } of readUnitList(NEW_LIST)) {
    if (level === 'province') newProvinces.push(code);
    else push(communesOf, parent, code);
  }

  const successorOf = new Map<string, string>();
  const pieces = new Map<string, number>();
  const reform = readReform();
  for (const { old_level: oldLevel, old_code: oldCode, new_code: newCode } of reform) {
    if (oldLevel === 'province') successorOf.set(oldCode, newCode);
    else pieces.set(oldCode, (pieces.get(oldCode) ?? 0) + 1);
  }
  const predecessorsOf = new Map<string, { code: string; province: string; share: number }[]>();
  for (const { old_level: oldLevel, old_code: oldCode, new_code: newCode } of reform) {
    if (oldLevel !== 'province')
      push(predecessorsOf, newCode, {
        code: oldCode,
        province: provinceOfOld.get(oldCode)!,
        share: 1 / pieces.get(oldCode)!,
      });
  }

  for (const list of [...districtsOf.values(), ...wardsOf.values(), ...communesOf.values()]) list.sort(byCode);
  adminCache = {
    oldProvinces: oldProvinces.sort(byCode),
    districtsOf,
    wardsOf,
    newProvinces: newProvinces.sort(byCode),
    communesOf,
    successorOf,
    predecessorsOf,
  };
  return adminCache;
}

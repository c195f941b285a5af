/**
 * Labels: Vietnamese first, English beside it. Grafana titles read "Nạn nhân (Victims)"; the page picks one language.
 * Indicator names and targets come from the catalogue.
 */
import { findIndicator, type Indicator } from '../../schema/catalogue.ts';

export type Lang = 'vi' | 'en';

export interface Label {
  vi: string;
  en: string;
}

export const label = (vi: string, en: string): Label => ({ vi, en });

/** "Nạn nhân (Victims)": how Grafana titles read. */
export function bilingual(l: Label): string {
  return l.vi === l.en ? l.vi : `${l.vi} (${l.en})`;
}

/** Longer texts (descriptions): Vietnamese, a blank line, English. */
export function bilingualText(l: Label): string {
  return l.vi === l.en ? l.vi : `${l.vi}\n\n${l.en}`;
}

export function pick(l: Label, lang: Lang): string {
  return lang === 'vi' ? l.vi : l.en;
}

/** The catalogue entry for a code; throws on a code the catalogue does not have (a typo in this file). */
export function indicator(code: string): Indicator {
  const i = findIndicator(code);
  if (!i) throw new Error(`dashboards: no indicator "${code}" in the catalogue`);
  return i;
}

export function indicatorLabel(i: Indicator): Label {
  return label(i.nameVi, i.nameEn);
}

/** "Mục tiêu ≥ 95 %" / "Target ≥ 95 %", from the catalogue; null for counts. */
export function targetLabel(i: Indicator): Label | null {
  if (i.kind !== 'ratio') return null;
  const op = i.target.operator === '>=' ? '≥' : '>';
  return label(`Mục tiêu ${op} ${i.target.value} %`, `Target ${op} ${i.target.value} %`);
}

/**
 * How the page writes numbers, months, dates and units, in the reader's language; step names and table order.
 * Pure (no DOM), so it is tested without a browser.
 */
import type { Lang, Row } from '../spec.ts';
import { UNIT_EN } from './i18n.ts';

const locale = (lang: Lang) => (lang === 'vi' ? 'vi-VN' : 'en-GB');

export function formatNumber(lang: Lang, v: number, digits = 0): string {
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(
    v,
  );
}

export function formatPercent(lang: Lang, v: number): string {
  return `${formatNumber(lang, v, 1)} %`;
}

/** "Tháng 3/2026" / "March 2026", from a month id (`202603`). */
export function formatMonth(lang: Lang, id: string): string {
  const d = new Date(Date.UTC(Number(id.slice(0, 4)), Number(id.slice(4, 6)) - 1, 1));
  return lang === 'vi'
    ? `Tháng ${d.getUTCMonth() + 1}/${d.getUTCFullYear()}`
    : new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/** "5/3/2026" / "5 March 2026", from an ISO day. */
export function formatDate(lang: Lang, iso: string): string {
  const [y, m, d] = iso.split('-');
  return lang === 'vi'
    ? `${Number(d)}/${Number(m)}/${y}`
    : new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${iso}T00:00:00Z`),
      );
}

/** An indicator's unit beside its value: `%` for ratios, the catalogue's unit (in English when reading English). */
export const unitText = (lang: Lang, i: { kind: string; unit: string }) =>
  i.kind === 'ratio' ? '%' : lang === 'vi' ? i.unit : (UNIT_EN[i.unit] ?? i.unit);

/** A tile's colour class from its status against the target. */
export function statusColor(status: unknown): string {
  return status === 'MET' ? 'met' : status === 'NOT_MET' ? 'not-met' : status === 'NO_DATA' ? 'no-data' : 'neutral';
}

/** Step names without the words they share: "Tiếp nhận", "Được phân loại"; "Received", "Classified". */
export function stepNames(names: string[]): string[] {
  const words = names.map((n) => n.split(' '));
  let common = 0;
  while (words.every((w) => w.length > common + 1 && w[common] === words[0][common])) common++;
  return words.map((w) => {
    const rest = w.slice(common).join(' ').replace(/^,\s*/, '');
    return rest.charAt(0).toUpperCase() + rest.slice(1);
  });
}

/** Table rows by a column; empty cells last whichever the direction. */
export function compareBy(s: { alias: string; desc: boolean }): (a: Row, b: Row) => number {
  return (a, b) => {
    const [x, y] = [a[s.alias], b[s.alias]];
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'vi');
    return s.desc ? -c : c;
  };
}

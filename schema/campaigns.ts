/**
 * The campaign calendar the seeds set out, for dashboard annotations:
 * - 30/7, "Ngày toàn dân phòng, chống mua bán người" (Decision 793/QĐ-TTg, 10/5/2016) and the World Day against
 *   Trafficking in Persons, every year since 2016 (plans 000, 003, 004);
 * - the peak crackdown 01/7–30/9 of each year (plan 000 for 2024, plan 004 for 2021 on the borders).
 */
export type CampaignKind = 'national_day' | 'peak';

export interface Campaign {
  kind: CampaignKind;
  titleVi: string;
  titleEn: string;
  /** First and last day, inclusive (YYYY-MM-DD). */
  start: string;
  end: string;
}

const FIRST_NATIONAL_DAY = 2016;

export function campaignsBetween(from: string, to: string): Campaign[] {
  const out: Campaign[] = [];
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    const candidates: Campaign[] = [
      {
        kind: 'peak',
        titleVi: `Cao điểm tấn công, trấn áp tội phạm mua bán người ${year}`,
        titleEn: `Peak crackdown on trafficking ${year}`,
        start: `${year}-07-01`,
        end: `${year}-09-30`,
      },
    ];
    if (year >= FIRST_NATIONAL_DAY) {
      candidates.push({
        kind: 'national_day',
        titleVi: `Ngày toàn dân phòng, chống mua bán người 30/7/${year}`,
        titleEn: `National day against trafficking, 30 July ${year}`,
        start: `${year}-07-30`,
        end: `${year}-07-30`,
      });
    }
    out.push(...candidates.filter((c) => c.end >= from && c.start <= to));
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}

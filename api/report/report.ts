/** The periodic report of a unit for a period, as the caller of `ctx` may see it: Markdown, or a Word document. */
import { vietnamToday } from '../../schema/periods.ts';
import type { RequestContext } from '../request.ts';
import { composeReport, periodVi, toMarkdown } from './compose.ts';
import { toDocx } from './docx.ts';
import { gatherReport } from './gather.ts';

export async function periodicReport(
  ctx: RequestContext,
  unit: string,
  period: string,
  o: { asOf?: string | null; today?: string } = {},
): Promise<{ title: string; markdown: () => string; docx: () => Promise<Buffer> }> {
  const data = await gatherReport(ctx, unit, period, o.asOf);
  const blocks = composeReport(data, o.today ?? vietnamToday());
  const title = `Báo cáo ${periodVi(data.period)} — ${data.unit.fullName}`;
  return { title, markdown: () => toMarkdown(blocks), docx: () => toDocx(blocks, title) };
}

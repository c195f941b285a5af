/** `report`: the unit's periodic report in Vietnamese (Markdown), written from the API's own answers. */
import 'reflect-metadata';
import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { periodicReport } from '../../report/report.ts';
import type { RequestContext } from '../../request.ts';

@Resolver()
export class ReportResolver {
  @Query(() => String, {
    description:
      "The unit's periodic report for a period, in Vietnamese Markdown, as the programme's own reports are laid " +
      'out: I. results by area against the same period a year earlier and the targets, II. reporting by the ' +
      'units below, III. incomplete figures and discrepancies, and an appendix of sources. What the key may not ' +
      'see is left out, and the report says so.',
  })
  async report(
    @Arg('period', () => String) period: string,
    @Arg('unit', () => String, { defaultValue: 'VN' }) unit: string,
    @Arg('asOf', () => String, { nullable: true }) asOf: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<string> {
    return (await periodicReport(ctx, unit, period, { asOf })).markdown();
  }
}

/**
 * Files to download, within the key's scope, with the same API key as /graphql (`Authorization: Bearer …`):
 * - `GET /downloads/template?unit=&period=[&below=ward]`: the XLSX submission template (analysts and admins: a
 *   viewer or a leader reads figures, it does not collect them: `collectsReports`); with `below`, only the units the
 *   key may see;
 * - `GET /downloads/report?unit=&period=[&format=docx|md]`: the periodic report, as the `report` field writes it
 *   (a viewer's withholds what the API withholds).
 * Errors are answered as the API's are: `{ errors: [{ message, extensions: { code } }] }` with 400, 401, 403, or
 * 503 past the request's time limit.
 */
import { type RequestHandler, type Response, Router } from 'express';
import { GraphQLError } from 'graphql';
import { collectsReports } from './auth/roles.ts';
import type { Principal } from './context.ts';
import { defaultSchedule } from './compliance/schedule.ts';
import { ERROR_CODES } from './graphql/errors.ts';
import { resolvePeriodArg } from './graphql/periods.ts';
import { resolveUnitArg } from './graphql/units.ts';
import { REPORT_FORMATS, type ReportFormat } from './report/formats.ts';
import { periodicReport } from './report/report.ts';
import type { RequestContext } from './request.ts';
import { reportersOf, TemplateError } from './templates/reporters.ts';
import { templateWorkbook } from './templates/workbook.ts';

const STATUS: Record<string, number> = {
  [ERROR_CODES.BAD_USER_INPUT]: 400,
  [ERROR_CODES.FORBIDDEN]: 403,
  [ERROR_CODES.UNAUTHENTICATED]: 401,
  [ERROR_CODES.TIMEOUT]: 503,
};

const CONTENT_TYPES: Record<ReportFormat | 'xlsx', string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  md: 'text/markdown; charset=utf-8',
};

function fail(code: string, message: string): never {
  throw new GraphQLError(message, { extensions: { code } });
}

/** A query parameter given once, as text; `fallback` when absent. */
function param(q: Record<string, unknown>, name: string, fallback?: string): string {
  const v = q[name];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || v === '')
    fail(ERROR_CODES.BAD_USER_INPUT, `the query parameter "${name}" is required once, as text`);
  return v;
}

function send(res: Response, format: ReportFormat | 'xlsx', name: string, body: Buffer | string): void {
  if (res.headersSent) return; // answered already: the time limit passed
  res
    .status(200)
    .set({
      'Content-Type': CONTENT_TYPES[format],
      // RFC 6266: an ASCII fallback, then the name as written.
      'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'no-store',
    })
    .send(body);
}

/**
 * The routes; `before` authenticates (sets `res.locals.principal`) and takes the request's turn against loads,
 * `context` builds the request context the API's resolvers get.
 */
export function downloadsRouter(
  before: RequestHandler[],
  context: (principal: Principal, requestId: string) => RequestContext,
): Router {
  const router = Router();
  const handle =
    (fn: (ctx: RequestContext, q: Record<string, unknown>, res: Response) => Promise<void>): RequestHandler =>
    async (req, res, next) => {
      const principal = res.locals.principal as Principal | undefined;
      if (!principal)
        return void res
          .status(401)
          .json({ errors: [{ message: 'an API key is required', extensions: { code: ERROR_CODES.UNAUTHENTICATED } }] });
      const ctx = context(principal, res.getHeader('x-request-id') as string);
      try {
        // The same time limit as a GraphQL request (PCMBN_QUERY_TIMEOUT_MS).
        const work = fn(ctx, req.query as Record<string, unknown>, res);
        work.catch(() => {}); // past the time limit, a late failure has no one left to answer
        await Promise.race([work, ctx.deadline.expired]);
      } catch (e) {
        const code = e instanceof GraphQLError ? (e.extensions.code as string | undefined) : undefined;
        if (code && STATUS[code])
          return void res
            .status(STATUS[code])
            .json({ errors: [{ message: (e as GraphQLError).message, extensions: { code } }] });
        next(e);
      } finally {
        ctx.deadline.clear();
      }
    };

  router.get(
    '/downloads/template',
    ...before,
    handle(async (ctx, q, res) => {
      if (!collectsReports(ctx.principal.role))
        fail(
          ERROR_CODES.FORBIDDEN,
          `templates are for analysts and admins: a ${ctx.principal.role} key reads figures, it does not collect them`,
        );
      const period = resolvePeriodArg(param(q, 'period'), 'period');
      const unit = await resolveUnitArg(ctx.warehouse, param(q, 'unit'), period.end, 'unit');
      await ctx.assertInScope(unit.unit_id);
      let reporters;
      try {
        reporters = reportersOf(
          ctx.units,
          unit,
          period,
          q.below === undefined ? undefined : param(q, 'below'),
          ctx.inScope,
        );
      } catch (e) {
        if (e instanceof TemplateError) fail(ERROR_CODES.BAD_USER_INPUT, `below: ${e.message}`);
        throw e;
      }
      const wb = await templateWorkbook({ unit, period, reporters, schedule: defaultSchedule() });
      send(res, 'xlsx', `mau-bao-cao-${unit.code}-${period.id}.xlsx`, Buffer.from(await wb.xlsx.writeBuffer()));
    }),
  );

  router.get(
    '/downloads/report',
    ...before,
    handle(async (ctx, q, res) => {
      const format = param(q, 'format', 'docx');
      if (!(REPORT_FORMATS as readonly string[]).includes(format))
        fail(ERROR_CODES.BAD_USER_INPUT, `format "${format}": expected ${REPORT_FORMATS.join(' or ')}`);
      const period = resolvePeriodArg(param(q, 'period'), 'period');
      const unit = await resolveUnitArg(ctx.warehouse, param(q, 'unit'), period.end, 'unit');
      const report = await periodicReport(ctx, unit.ref, period.id);
      const name = `bao-cao-${unit.code}-${period.id}.${format}`;
      send(res, format as ReportFormat, name, format === 'md' ? report.markdown() : await report.docx());
    }),
  );
  return router;
}

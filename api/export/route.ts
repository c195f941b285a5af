/**
 * `POST /export?format=csv|xlsx[&path=…]`: the body is the same as for /graphql ({query, variables,
 * operationName}); the answer's list comes back as a file, with `suppressed` asked for wherever it can be. The server
 * mounts it behind the same key check, limits
 * and turn-taking as /graphql, and the query runs through the same Apollo server with the same context, so the
 * key's role, scope, suppression and limits apply exactly as for JSON. An answer with errors is no file: its errors
 * come back as JSON, as /graphql would give them.
 */
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import type { Request, RequestHandler, Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { CONTENT_TYPES, type ExportFormat, writeTable } from './files.ts';
import { withSuppressedFlags } from './suppressed.ts';
import { ExportError, tableOf } from './table.ts';

const FORMATS = Object.keys(CONTENT_TYPES) as ExportFormat[];

function refuse(res: Response, status: number, code: string, message: string, paths?: string[]): void {
  res.status(status).json({ errors: [{ message, extensions: { code, ...(paths?.length ? { paths } : {}) } }] });
}

function queryArgument(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || typeof v === 'string') return v;
  throw new ExportError(`${name}: give it once, as text`, 'BAD_USER_INPUT');
}

/** `pcmbn-trend.csv`, `pcmbn-reportingCompliance.missing.xlsx` */
function fileName(path: string, format: ExportFormat): string {
  return `pcmbn-${path.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}`;
}

/** The request's body with `suppressed` asked for wherever it can be (suppressed.ts). */
function asked(body: unknown, schema: GraphQLSchema): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = body as { query?: unknown };
  const query = withSuppressedFlags(schema, b.query);
  return query === b.query ? body : { ...b, query };
}

export function exportAnswers<C extends BaseContext>(
  apollo: ApolloServer<C>,
  schema: GraphQLSchema,
  context: (res: Response) => Promise<C>,
): RequestHandler {
  return async (req, res) => {
    let format: string | undefined;
    let path: string | undefined;
    try {
      format = queryArgument(req, 'format');
      path = queryArgument(req, 'path');
    } catch (e) {
      return refuse(res, 400, (e as ExportError).code, (e as ExportError).message);
    }
    if (!FORMATS.includes(format as ExportFormat))
      return refuse(
        res,
        400,
        'BAD_USER_INPUT',
        `format: expected ${FORMATS.join(' or ')} (e.g. /export?format=csv), got ` +
          `${format === undefined ? 'nothing' : JSON.stringify(format)}`,
      );

    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, [v].flat().join(', '));
    // The file is made from Apollo's JSON answer, whatever the script accepts in return.
    headers.set('accept', 'application/json');
    const run = async (body: unknown) => {
      const answer = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers, search: '', body },
        context: () => context(res),
      });
      if (answer.body.kind !== 'complete') return null;
      const json = JSON.parse(answer.body.string) as { data?: unknown; errors?: unknown[] };
      const status = answer.status ?? 200;
      return { status, json, failed: status !== 200 || !!json.errors?.length };
    };
    const flagged = asked(req.body, schema);
    let answer = await run(flagged);
    // Errors point at lines and columns of the query as the caller wrote it: they come from running that query.
    if (answer?.failed && flagged !== req.body) answer = await run(req.body);
    if (!answer) return refuse(res, 400, 'BAD_REQUEST', 'an incremental answer (@defer, @stream) cannot be exported');
    const { status, json } = answer;
    if (answer.failed) return void res.status(status === 200 ? 400 : status).json({ errors: json.errors });

    try {
      const table = tableOf(json.data, path);
      const file = await writeTable(table, format as ExportFormat);
      res
        .set({
          'Content-Type': CONTENT_TYPES[format as ExportFormat],
          'Content-Disposition': `attachment; filename="${fileName(table.path, format as ExportFormat)}"`,
          'Cache-Control': 'no-store',
        })
        .send(file);
    } catch (e) {
      if (!(e instanceof ExportError)) throw e;
      refuse(res, 400, e.code, e.message, e.paths);
    }
  };
}

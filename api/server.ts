/**
 * The HTTP server: GraphQL at `/graphql` (Apollo Server 5 on Express 5), the analyst's workbench at `/graphql` for
 * a browser, answers as CSV or XLSX at `POST /export`, templates and reports under `/downloads/`
 * (api/downloads.ts), `GET /healthz`, Prometheus metrics at `GET /metrics`. `/` is left free for the dashboards'
 * page.
 *
 * A GraphQL request goes: request id → JSON body (at most 100 kB) → API key (`Authorization: Bearer …`, 401
 * otherwise, unless anonymous viewers are allowed) → one operation only (batched bodies: 400), no variable string
 * over 256 characters (400) → Apollo: parse (at most 2,000 tokens), validate (depth, cost, introspection and string
 * limits: api/graphql/limits.ts), execute against the deadline → errors formatted so nothing internal leaks.
 *
 * Loads happen only in this process while it serves: DuckDB's file lock keeps other writers out (`pcmbn etl load`
 * elsewhere stops with "in use"). A load commits between requests (`holdReaders()`, api/loadGate.ts) and clears
 * the result and response caches as it lets them go, so an answer is wholly from before a load or wholly from after
 * it. A query asked again by the same role and scope is answered whole from the response cache
 * (api/responseCache.ts), without executing GraphQL.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Warehouse } from '../schema/warehouse.ts';
import { ensureSuppressionOf } from '../etl/marts/suppression.ts';
import { authenticate } from './auth/keys.ts';
import { LruResultCache } from './cache.ts';
import { LoadGate } from './loadGate.ts';
import type { Principal } from './context.ts';
import { unitDirectory } from './directory.ts';
import { downloadsRouter } from './downloads.ts';
import {
  describeError,
  ERROR_CODES,
  type ErrorLog,
  makeFormatError,
  newRequestId,
  requestIds,
} from './graphql/errors.ts';
import {
  costLimit,
  Deadline,
  depthLimit,
  enforceDeadlines,
  explainLimitError,
  getVariables,
  introspectionLimit,
  longStringIn,
  MAX_ANSWER_BYTES,
  MAX_BODY_BYTES,
  MAX_STRING_CHARS,
  MAX_TOKENS,
  queryTimeoutMs,
  stringLimit,
} from './graphql/limits.ts';
import { buildApiSchema } from './graphql/schema.ts';
import { cacheStats, metricsPlugin, recordRefusal, registry, responseCacheStats } from './metrics.ts';
import { ResponseCache } from './responseCache.ts';
import { createRequestContext, type RequestContext } from './request.ts';
import { dashboardPage } from './pages/dashboard.ts';
import { workbench } from './pages/workbench.ts';
import { exportAnswers } from './export/route.ts';

export interface ServerOptions {
  warehouse: Warehouse;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** `viewer`: requests without an Authorization header are viewers scoped to VN (PCMBN_ANONYMOUS=viewer). */
  anonymous?: 'viewer';
  /** Per-request time limit; default PCMBN_QUERY_TIMEOUT_MS or 10 s. */
  queryTimeoutMs?: number;
  /** Where internal errors are logged with their request id; default stderr. */
  log?: ErrorLog;
  /** Another schema (tests); default the API's. Its resolvers race the deadline like the API's. */
  schema?: GraphQLSchema;
  /** The demo's key file (`pcmbn start` only): the page hands its key to a browser on this machine. */
  demoKeyFile?: string;
  /** The longest answer sent; default MAX_ANSWER_BYTES. */
  maxAnswerBytes?: number;
  /** How long a load waits for the requests in flight before it goes ahead; default twice the query timeout. */
  loadWaitMs?: number;
  /** The bytes of whole answers kept for repeated queries (api/responseCache.ts); default 64 MiB, 0 keeps none. */
  responseCacheBytes?: number;
}

export interface RunningServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** http://host:port, for /healthz and /metrics. */
  origin: string;
  port: number;
  close(): Promise<void>;
  /** Forgets cached results. */
  invalidate(): void;
  /**
   * For LoadOptions.holdReaders: holds requests back while a load commits; letting them go forgets cached results.
   */
  holdReaders(): Promise<() => void>;
}

function unauthenticated(): never {
  throw new GraphQLError('an API key is required', {
    extensions: { code: ERROR_CODES.UNAUTHENTICATED, http: { status: 401 } },
  });
}

const NATION_VIEWER: Principal = { keyId: null, role: 'viewer', unitId: 0 };

function refuse(
  res: Response,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  res
    .status(status)
    .set(headers)
    .json({ errors: [{ message, extensions: { code } }] });
}

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const w = o.warehouse;
  const host = o.host ?? '127.0.0.1';
  const timeoutMs = o.queryTimeoutMs ?? queryTimeoutMs();
  const log = o.log ?? ((line: string) => console.error(line));
  const cache = new LruResultCache(undefined, cacheStats);
  const responses = new ResponseCache(o.responseCacheBytes, responseCacheStats);
  // A warehouse from before the load-time suppression pattern, or made under another threshold, gets its pattern
  // now: viewers' answers only look it up.
  await ensureSuppressionOf(w);
  // Read the units now: the first request should not pay for it, and a broken warehouse should fail here.
  const units = await unitDirectory(w);

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);

  const formatError = makeFormatError(log);
  const schema = enforceDeadlines(o.schema ?? (await buildApiSchema()));
  const apollo = new ApolloServer<RequestContext>({
    schema,
    validationRules: [depthLimit(), costLimit(), introspectionLimit(), stringLimit()],
    // The parser stops at MAX_TOKENS: a huge document is refused before validation, whose cost grows with its size.
    parseOptions: { maxTokens: MAX_TOKENS },
    formatError: (formatted: GraphQLFormattedError, error: unknown) => formatError(explainLimitError(formatted), error),
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Bounds the work of validating a document full of nested fragments (Apollo's guard, 10 million selections).
    maxRecursiveSelections: true,
    // Also under NODE_ENV=production: dashboards and generated clients read the schema, and it holds no secret.
    introspection: true,
    // We close on SIGINT/SIGTERM ourselves (api/cli/serve.ts): Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // A browser at /graphql gets our own workbench (dashboards/workbench/): Apollo's page loads code from its CDN.
      ApolloServerPluginLandingPageDisabled(),
      metricsPlugin<RequestContext>(),
      // After the metrics: a hit is counted and timed like any request.
      ...(o.responseCacheBytes === 0 ? [] : [responses.plugin<RequestContext>((c) => c.principal)]),
      {
        async requestDidStart() {
          return {
            async willSendResponse(rc) {
              rc.contextValue.deadline?.clear();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.use((req, res, next) => {
    const id = newRequestId();
    res.setHeader('x-request-id', id);
    requestIds.run(id, next);
  });

  // For a health check, anyone; where the warehouse lives on the host tells an attacker something, so only an admin.
  app.get('/healthz', async (req, res) => {
    try {
      const rows = await w.db.selectFrom('meta').select('value').where('key', '=', 'data_version').execute();
      const header = req.headers.authorization;
      const who = header === undefined ? null : await authenticate(w, header);
      const database = who?.ok && who.principal.role === 'admin' ? { database: w.path } : {};
      res.json({ status: 'ok', ...database, dataVersion: rows[0] ? Number(rows[0].value) : null });
    } catch (e) {
      log(`[request ${requestIds.getStore()}] healthz: ${describeError(e)}`);
      res.status(503).json({ status: 'unavailable' });
    }
  });

  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  // The built-in dashboard page (api/pages/dashboard.ts): GET /, its assets and /dashboard-config.json. It reads
  // /graphql like any client; in the demo it is given the demo's leader key, and only for a browser on this machine.
  app.use(dashboardPage({ anonymous: o.anonymous === 'viewer', demoKeyFile: o.demoKeyFile, log }));

  // The workbench page runs nothing, so it needs no key; the queries it sends do.
  app.use(workbench({ log }));

  const authenticateRequest: RequestHandler = async (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined && o.anonymous === 'viewer') {
      res.locals.principal = NATION_VIEWER;
      return next();
    }
    const result =
      header === undefined
        ? {
            ok: false as const,
            reason:
              'an API key is required: send "Authorization: Bearer <token>" (create one with `pcmbn keys create`)',
          }
        : await authenticate(w, header);
    if (!result.ok) {
      recordRefusal('unauthenticated');
      return refuse(res, 401, ERROR_CODES.UNAUTHENTICATED, result.reason, {
        'WWW-Authenticate': 'Bearer realm="pcmbn"',
      });
    }
    res.locals.principal = result.principal;
    next();
  };

  const oneOperation: RequestHandler = (req, res, next) => {
    if (Array.isArray(req.body)) {
      recordRefusal('batched');
      return refuse(
        res,
        400,
        ERROR_CODES.BAD_REQUEST,
        `batched requests are not accepted: send one GraphQL operation per request (this body holds ` +
          `${req.body.length})`,
      );
    }
    const long = longStringIn(req.method === 'GET' ? getVariables(req.query) : req.body?.variables);
    if (long) {
      recordRefusal('long_string');
      return refuse(
        res,
        400,
        ERROR_CODES.BAD_USER_INPUT,
        `${long.path}: a string of ${long.length.toLocaleString('en-US')} characters; an argument holds at most ` +
          `${MAX_STRING_CHARS}: unit codes, periods, dates and searches are all far shorter`,
      );
    }
    next();
  };

  const maxAnswerBytes = o.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  const loadWaitMs = o.loadWaitMs ?? 2 * timeoutMs;
  const gate = new LoadGate(
    (inFlight) =>
      log(`a load waited ${loadWaitMs} ms for ${inFlight} request(s) still in flight and went ahead of them`),
    (hold) => log(`a load held requests back for ${hold.heldMs.toFixed(0)} ms (${hold.requestsHeld} waited)`),
  );
  const takeTurn: RequestHandler = async (_req, res, next) => {
    const leave = await gate.enter();
    // The answer is whole once it is handed to the socket: a client that reads it slowly, or never, must not hold
    // a load back. 'close' covers a client that went away before.
    res.once('close', leave);
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (typeof body === 'string' && Buffer.byteLength(body) > maxAnswerBytes) {
        recordRefusal('answer_too_large');
        refuse(
          res,
          400,
          ERROR_CODES.ANSWER_TOO_LARGE,
          `the answer would be ${Buffer.byteLength(body).toLocaleString('en-US')} bytes; an answer holds at most ` +
            `${maxAnswerBytes.toLocaleString('en-US')}: ask for fewer rows, fields or aliases, or split the query`,
        );
      } else send(body);
      leave();
      return res;
    };
    next();
  };

  const contextOf = (principal: Principal, requestId: string) =>
    createRequestContext({ warehouse: w, principal, cache, units, deadline: new Deadline(timeoutMs), requestId });
  const contextFor = async (res: Response) =>
    contextOf(
      (res.locals.principal as Principal | undefined) ?? unauthenticated(),
      res.getHeader('x-request-id') as string,
    );
  const beforeApollo = [express.json({ limit: MAX_BODY_BYTES }), authenticateRequest, oneOperation, takeTurn];
  const fromCache =
    o.responseCacheBytes === 0 ? [] : [responses.middleware((res) => res.locals.principal as Principal | undefined)];
  app.use(
    '/graphql',
    ...beforeApollo,
    ...fromCache,
    expressMiddleware(apollo, { context: ({ res }) => contextFor(res) }),
  );
  // The same answer as a file: same key check, limits, turn and context as /graphql (api/export/route.ts).
  app.post('/export', ...beforeApollo, exportAnswers(apollo, schema, contextFor));

  // Templates and reports to download (api/downloads.ts): the same key, scope and turn against loads as /graphql.
  app.use(downloadsRouter([authenticateRequest, takeTurn], contextOf));

  const onError: ErrorRequestHandler = (err: { type?: string; status?: number }, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err.type === 'entity.too.large') {
      recordRefusal('too_large');
      return refuse(
        res,
        413,
        ERROR_CODES.BAD_REQUEST,
        `the request body is larger than ${MAX_BODY_BYTES / 1024} kB: send a smaller query`,
      );
    }
    if (
      err.type === 'entity.parse.failed' ||
      err.type === 'encoding.unsupported' ||
      err.type === 'charset.unsupported'
    ) {
      recordRefusal('bad_body');
      return refuse(
        res,
        400,
        ERROR_CODES.BAD_REQUEST,
        'the request body is not valid JSON: expected {"query": "…", "variables": {…}}',
      );
    }
    const id = requestIds.getStore() ?? newRequestId();
    log(`[request ${id}] ${describeError(err)}`);
    res.status(500).json({
      errors: [{ message: 'internal error', extensions: { code: ERROR_CODES.INTERNAL_SERVER_ERROR, requestId: id } }],
    });
  };
  app.use(onError);

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(o.port ?? 4000, host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await apollo.stop();
    throw e;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/graphql`,
    origin,
    port,
    invalidate: () => {
      cache.clear();
      responses.clear();
    },
    holdReaders: async () => {
      const release = await gate.hold(loadWaitMs);
      return () => {
        cache.clear();
        responses.clear();
        release();
      };
    },
    close: () => (closing ??= apollo.stop()),
  };
}

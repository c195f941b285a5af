/**
 * The HTTP server over a real DuckDB file: health, metrics, the catalogue, the request limits, error masking, the
 * result cache, and `pcmbn start` as a real process (demo data, printed URL and key, the database held).
 */
import fs from 'node:fs';
import path from 'node:path';
import { getIntrospectionQuery, GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LruResultCache, resultBytes } from '../../api/cache.ts';
import { createApiKey } from '../../api/auth/keys.ts';
import type { RequestContext } from '../../api/request.ts';
import { recordLoad } from '../../api/metrics.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { INDICATORS } from '../../schema/catalogue.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import {
  cleanupTemp,
  closeWarehouse,
  csv,
  freshWarehouse,
  freshWarehousePath,
  HEADER,
  tempDir,
  writeFile,
} from '../helpers.ts';
import { codes, gql, pcmbn, pcmbnBackground, pcmbnEnv, post } from './client.ts';

let w: Warehouse;
let server: RunningServer;
let token: string;
const q = (query: string, o: { variables?: Record<string, unknown>; operationName?: string } = {}) =>
  gql(server.url, query, { token, ...o });

beforeAll(async () => {
  w = await freshWarehouse();
  token = (await createApiKey(w, { role: 'viewer', unitId: 0 })).token;
  server = await startServer({ warehouse: w, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

describe('endpoints', () => {
  it('GET /healthz: status and data version, no key needed; the database file only for an admin key', async () => {
    const res = await fetch(`${server.origin}/healthz`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ status: 'ok', dataVersion: 0 });
    expect(text).not.toContain(path.basename(w.path));
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}$/);
    const viewer = await fetch(`${server.origin}/healthz`, { headers: { authorization: `Bearer ${token}` } });
    expect(await viewer.json()).toEqual({ status: 'ok', dataVersion: 0 });
    const admin = (await createApiKey(w, { role: 'admin', unitId: 0 })).token;
    const asAdmin = await fetch(`${server.origin}/healthz`, { headers: { authorization: `Bearer ${admin}` } });
    expect(await asAdmin.json()).toEqual({ status: 'ok', database: w.path, dataVersion: 0 });
  });

  it('indicators: every catalogue entry, ratios with their targets', async () => {
    const r = await q(
      '{ indicators { code nameVi nameEn unit kind aggregation disaggregations numerator denominator target { ' +
        'operator value source } } }',
    );
    expect(r.body.errors).toBeUndefined();
    const got = r.body.data.indicators as Record<string, any>[];
    expect(got.map((i) => i.code)).toEqual(INDICATORS.map((i) => i.code));
    for (const i of INDICATORS) {
      const g = got.find((x) => x.code === i.code)!;
      expect(g).toMatchObject({ nameVi: i.nameVi, nameEn: i.nameEn, unit: i.unit, kind: i.kind.toUpperCase() });
      if (i.kind === 'ratio') {
        expect(g).toMatchObject({
          aggregation: null,
          numerator: i.numerator,
          denominator: i.denominator,
          disaggregations: [],
          target: { operator: i.target.operator, value: i.target.value, source: i.target.source },
        });
      } else {
        expect(g).toMatchObject({
          aggregation: i.aggregation.toUpperCase(),
          numerator: null,
          denominator: null,
          target: null,
          disaggregations: [...i.disaggregations],
        });
      }
    }
    expect(got.find((i) => i.code === 'case_clearance_rate')!.target).toMatchObject({ operator: '>', value: 90 });
  });

  it('introspection works (beyond the depth limit) and lists IndicatorCode from the catalogue', async () => {
    const r = await q(getIntrospectionQuery());
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    const types = r.body.data.__schema.types as { name: string; enumValues: { name: string }[] | null }[];
    expect(types.find((t) => t.name === 'IndicatorCode')!.enumValues!.map((v) => v.name)).toEqual(
      INDICATORS.map((i) => i.code),
    );
    expect(types.find((t) => t.name === 'AdminLevel')!.enumValues!.map((v) => v.name)).toEqual([
      'NATIONAL',
      'PROVINCE',
      'DISTRICT',
      'WARD',
    ]);
  });

  it('GET /metrics: requests and latency by operation name, and ETL loads through recordLoad', async () => {
    await q('query DashboardIndicators { indicators { code } }');
    await q('query DashboardIndicators { nope }');
    const dir = tempDir();
    const result = await loadFiles(w, [
      writeFile(dir, 'a.csv', csv(HEADER, 'VN,2024,cases_initiated,3', 'VN,2024,cases_solved,2')),
    ]);
    recordLoad(result);
    recordLoad(null, new Error('disk full'));
    const res = await fetch(`${server.origin}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^pcmbn_graphql_requests_total\{operation="DashboardIndicators",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^pcmbn_graphql_requests_total\{operation="DashboardIndicators",outcome="error"\} 1$/m);
    expect(text).toMatch(/^pcmbn_graphql_request_duration_seconds_count\{operation="DashboardIndicators"\} 2$/m);
    expect(text).toMatch(
      /^pcmbn_graphql_request_duration_seconds_bucket\{le="0.1",operation="DashboardIndicators"\} \d+$/m,
    );
    expect(text).toMatch(/^pcmbn_etl_runs_total\{status="succeeded"\} 1$/m);
    expect(text).toMatch(/^pcmbn_etl_runs_total\{status="failed"\} 1$/m);
    expect(text).toMatch(/^pcmbn_etl_files_total\{status="loaded"\} 1$/m);
    expect(text).toMatch(/^pcmbn_etl_rows_loaded_total 2$/m);
    expect(text).toMatch(/^pcmbn_process_cpu_seconds_total /m);
  });
});

describe('limits', () => {
  it('a normal dashboard-sized query passes', async () => {
    const r = await q(
      '{ indicators { code nameEn target { value } } adminUnits(parent: "75", level: WARD) { ref name parent { name ' +
        '} predecessors { ref transfer } } }',
    );
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
  });

  it('depth: more than 8 levels is refused before anything runs', async () => {
    const nested = (n: number): string => (n === 0 ? 'ref' : `parent { ${nested(n - 1)} }`);
    expect((await q(`{ adminUnit(code: "2025-03:26041") { ${nested(6)} } }`)).body.errors).toBeUndefined(); // 8 levels
    const r = await q(`query Deep { adminUnit(code: "2025-03:26041") { ${nested(7)} } }`);
    expect(r.status).toBe(400);
    expect(r.body).not.toHaveProperty('data');
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(r.body.errors![0].message).toBe(
      'operation Deep is 9 levels deep; the limit is 8: ask for fewer nested fields',
    );
    expect(r.body.errors![0].extensions).toMatchObject({ limit: 'depth', value: 9, max: 8 });
  });

  it('cost: lists multiply what is below them; fragments count where they are spread', async () => {
    const r = await q(
      '{ adminUnits { children { children { ...F } } } } fragment F on AdminUnit { successors { ref } }',
    );
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(r.body.errors![0].message).toBe(
      'the query costs 11111; the limit is 5000 (each field costs 1, one that reads the warehouse 100, fields below ' +
        'a list count 10 times, aliases count each time): ask for fewer fields or split the query',
    );
  });

  it('aliases count each time', async () => {
    const one = (n: number) => `i${n}: indicators { code nameVi nameEn unit kind }`;
    const ok = await q(`{ ${Array.from({ length: 98 }, (_, n) => one(n)).join(' ')} }`); // 98 × 51 = 4998
    expect(ok.body.errors).toBeUndefined();
    const r = await q(`{ ${Array.from({ length: 99 }, (_, n) => one(n)).join(' ')} }`); // 99 × 51 = 5049
    expect(r.status).toBe(400);
    expect(r.body.errors![0].message).toMatch(/^the query costs 5049; the limit is 5000/);
  });

  it('one operation per request: a batched body is refused with 400', async () => {
    const r = await post(server.url, [{ query: '{ indicators { code } }' }, { query: '{ adminUnits { ref } }' }], {
      authorization: `Bearer ${token}`,
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      errors: [
        {
          message: 'batched requests are not accepted: send one GraphQL operation per request (this body holds 2)',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
  });

  it('bodies over 100 kB get 413 and bodies that are not JSON 400, as GraphQL-style JSON errors', async () => {
    const big = await post(
      server.url,
      { query: `{ indicators { code } } # ${'x'.repeat(110_000)}` },
      { authorization: `Bearer ${token}` },
    );
    expect(big.status).toBe(413);
    expect(big.body).toEqual({
      errors: [
        {
          message: 'the request body is larger than 100 kB: send a smaller query',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
    const notJson = await post(server.url, '{"query": ', { authorization: `Bearer ${token}` });
    expect(notJson.status).toBe(400);
    expect(codes(notJson)).toEqual(['BAD_REQUEST']);
  });
});

/** A schema of our own for what the API's resolvers should never do on purpose: be slow, crash, count calls. */
function testSchema(): { schema: GraphQLSchema; calls: () => number } {
  let calls = 0;
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType<unknown, RequestContext>({
      name: 'Query',
      fields: {
        slow: { type: GraphQLString, resolve: () => new Promise((r) => setTimeout(() => r('late'), 400)) },
        fast: { type: GraphQLString, resolve: () => 'on time' },
        boom: {
          type: GraphQLString,
          resolve: async () => {
            throw new Error(
              'Binder Error: Referenced column "secret" not found in FROM clause! LINE 1: SELECT secret FROM facts',
            );
          },
        },
        cached: { type: GraphQLInt, resolve: (_s, _a, ctx) => ctx.cache.get('cached', async () => ++calls) },
      },
    }),
  });
  return { schema, calls: () => calls };
}

describe('errors, time limit and cache (a test-only schema)', () => {
  let test: RunningServer;
  let counter: () => number;
  const logged: string[] = [];
  beforeAll(async () => {
    const t = testSchema();
    counter = t.calls;
    test = await startServer({
      warehouse: w,
      port: 0,
      anonymous: 'viewer',
      schema: t.schema,
      queryTimeoutMs: 100,
      log: (l) => logged.push(l),
    });
  });
  afterAll(() => test?.close());

  it('a request that runs past the time limit answers TIMEOUT', async () => {
    const r = await gql(test.url, '{ fast slow }');
    expect(r.body.data).toEqual({ fast: 'on time', slow: null });
    expect(codes(r)).toEqual(['TIMEOUT']);
    expect(r.body.errors![0].message).toBe(
      'the request ran longer than 100 ms and was stopped (PCMBN_QUERY_TIMEOUT_MS): ask for less, or a narrower ' +
        'selection',
    );
  });

  it('an internal error says "internal error" with a request id; the real error (SQL) is only in the server log', async () => {
    const r = await gql(test.url, '{ boom }');
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ boom: null });
    const [e] = r.body.errors!;
    expect(e.message).toBe('internal error');
    expect(e.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: r.headers.get('x-request-id') });
    expect(r.text).not.toMatch(/SELECT|secret|Binder|stack|at /);
    expect(
      logged.some(
        (l) =>
          l.startsWith(`[request ${e.extensions!.requestId}] internal error at boom: Error: Binder Error`) &&
          l.includes('SELECT secret FROM facts'),
      ),
    ).toBe(true);
  });

  it('results are cached until invalidate() (a load committed)', async () => {
    const first = (await gql(test.url, '{ cached }')).body.data.cached;
    expect((await gql(test.url, '{ cached }')).body.data.cached).toBe(first);
    test.invalidate();
    expect((await gql(test.url, '{ cached }')).body.data.cached).toBe(first + 1);
    expect(counter()).toBe(first + 1);
  });

  it('a closed warehouse: healthz 503, key checks fail as "internal error" with nothing of the cause', async () => {
    const closed = await freshWarehouse();
    const key = (await createApiKey(closed, { role: 'admin', unitId: 0 })).token;
    const s = await startServer({ warehouse: closed, port: 0, log: (l) => logged.push(l) });
    try {
      await closeWarehouse(closed);
      const health = await fetch(`${s.origin}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'unavailable' });
      const r = await gql(s.url, '{ indicators { code } }', { token: key });
      expect(r.status).toBe(500);
      expect(r.body).toEqual({
        errors: [
          {
            message: 'internal error',
            extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: r.headers.get('x-request-id') },
          },
        ],
      });
    } finally {
      await s.close();
    }
  });
});

describe('LruResultCache', () => {
  it('keeps the most recently used entries, shares computations, forgets failures, separates roles', async () => {
    const cache = new LruResultCache(2 * resultBytes(1));
    let n = 0;
    const compute = async () => ++n;
    expect(await cache.get('a', compute)).toBe(1);
    expect(await cache.get('b', compute)).toBe(2);
    expect(await cache.get('a', compute)).toBe(1); // a is now the most recent
    expect(await cache.get('c', compute)).toBe(3); // evicts b
    expect(cache.size).toBe(2);
    expect(await cache.get('b', compute)).toBe(4);
    const [x, y] = await Promise.all([cache.get('d', compute), cache.get('d', compute)]);
    expect(x).toBe(y);
    await expect(cache.get('e', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await cache.get('e', compute)).toBe(6);
    expect(await cache.forRole('viewer').get('e', compute)).toBe(7);
    expect(await cache.forRole('analyst').get('e', compute)).toBe(8);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('is bounded by the bytes of its results, not their number: many large results push the oldest out', async () => {
    const maxBytes = 1024 * 1024;
    const cache = new LruResultCache(maxBytes);
    const rows = (k: number) => Array.from({ length: 1_000 }, (_, i) => ({ unit: `ward ${k}-${i}`, value: i }));
    for (let k = 0; k < 100; k++) await cache.get(`breakdown ${k}`, async () => rows(k)); // ~50 kB each
    expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    expect(cache.size).toBeLessThan(100);
    let computed = 0;
    await cache.get('breakdown 99', async () => (computed++, rows(99))); // the most recent is kept
    await cache.get('breakdown 0', async () => (computed++, rows(0))); // the oldest is gone
    expect(computed).toBe(1);
    // One result larger than the whole cache is answered, not kept.
    const huge = Array.from({ length: 25 }, (_, k) => rows(k)).flat();
    expect((await cache.get('huge', async () => huge)).length).toBe(25_000);
    expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    await cache.get('huge', async () => (computed++, []));
    expect(computed).toBe(2);
  });

  it('keeps no result of a computation begun before a clear (a load committed meanwhile)', async () => {
    const cache = new LruResultCache();
    let finish!: (v: number) => void;
    const before = cache.get('kpi', () => new Promise<number>((resolve) => (finish = resolve)));
    cache.clear();
    finish(3);
    expect(await before).toBe(3);
    expect(await cache.get('kpi', async () => 5)).toBe(5);
  });
});

describe('pcmbn start (a real process)', () => {
  it(
    'loads the demo into an empty warehouse, serves it with a printed key, holds the database against other loads, ' +
      'loads its inbox, stops cleanly, and prints the same key next time',
    async () => {
      const db = path.join(tempDir(), 'warehouse.duckdb');
      fs.copyFileSync(await freshWarehousePath(), db);
      const env = pcmbnEnv(db, { PORT: '0', PCMBN_ETL_CRON: '* * * * * *' }); // scan every second
      const start = pcmbnBackground(env, 'start');
      let key: string;
      try {
        const [, url] = await start.waitFor(/^GraphQL {2}(http:\/\/127\.0\.0\.1:\d+\/graphql)$/m, 120_000);
        [, key] = await start.waitFor(/^API key {2}(pcmbn_[A-Za-z0-9_-]{43})$/m);
        expect(start.stdout()).toMatch(/empty warehouse: loading the demo sample/);
        expect(start.stdout()).toContain(`inbox    ${path.join(path.dirname(db), 'inbox')}`);
        expect(fs.readFileSync(path.join(path.dirname(db), 'demo-key.txt'), 'utf8').trim()).toBe(key);
        // Two demo keys of the whole country: the leader's (the page's; every figure) and a viewer's (withheld).
        const [, viewerKey] = await start.waitFor(/^viewer key {2}(pcmbn_[A-Za-z0-9_-]{43})$/m);
        expect(fs.readFileSync(path.join(path.dirname(db), 'demo-viewer-key.txt'), 'utf8').trim()).toBe(viewerKey);
        for (const [token, role] of [
          [key, 'leader'],
          [viewerKey, 'viewer'],
        ])
          expect((await gql(url, '{ me { role unit { ref } } }', { token })).body.data.me).toEqual({
            role,
            unit: { ref: 'VN' },
          });
        expect(fs.statSync(path.join(path.dirname(db), 'inbox')).isDirectory()).toBe(true);

        const r = await gql(url, '{ indicators { code target { value } } }', { token: key });
        expect(r.status).toBe(200);
        expect(r.body.data.indicators.map((i: { code: string }) => i.code)).toEqual(INDICATORS.map((i) => i.code));
        expect((await gql(url, '{ indicators { code } }')).status).toBe(401);

        const dir = tempDir();
        const load = await pcmbn(
          pcmbnEnv(db),
          'etl',
          'load',
          writeFile(dir, 'late.csv', csv(HEADER, 'VN,2024,cases_initiated,3')),
        );
        expect(load.code).toBe(2);
        expect(load.stderr).toMatch(/^pcmbn: the warehouse .* is in use by another process/);

        // Files reach the running server through its inbox: loaded by the schedule, counted in the metrics.
        const origin = new URL(url).origin;
        const before = (await (await fetch(`${origin}/healthz`)).json()).dataVersion as number;
        const staged = writeFile(dir, 'drop.csv', csv(HEADER, 'VN,2024,cases_initiated,3'));
        fs.renameSync(staged, path.join(path.dirname(db), 'inbox', 'drop.csv'));
        await start.waitFor(/^run \d+: 1 loaded, 0 unchanged, 0 rejected; 1 rows/m, 30_000);
        expect((await (await fetch(`${origin}/healthz`)).json()).dataVersion).toBe(before + 1);
        const metrics = await (await fetch(`${origin}/metrics`)).text();
        expect(metrics).toMatch(/^pcmbn_etl_runs_total\{status="succeeded"\} 1$/m);
        expect(metrics).toMatch(/^pcmbn_etl_rows_loaded_total 1$/m);
        expect(fs.existsSync(path.join(path.dirname(db), 'inbox', 'loaded'))).toBe(true);
      } finally {
        expect(await start.stop()).toBe(0);
      }
      expect(start.stdout()).toMatch(/stopped\n$/);

      const again = pcmbnBackground(env, 'start');
      try {
        const [, second] = await again.waitFor(/^API key {2}(pcmbn_\S+)$/m, 60_000);
        expect(second).toBe(key);
        expect(again.stdout()).not.toMatch(/loading the demo sample/);
      } finally {
        expect(await again.stop()).toBe(0);
      }
    },
    180_000,
  );
});

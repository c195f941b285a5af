/**
 * Abuse over real HTTP against a real `pcmbn serve` process: deeply nested and very wide queries, huge trend ranges,
 * aliases multiplying a costly field, batches, huge variables, fragment bombs and cycles, very long strings and
 * introspection abuse. Each is refused with a clear error (code, message naming the limit) and, where the limit is
 * one of ours, before any resolver reads the warehouse (the server's result-cache lookups, which every figure goes
 * through, do not move). Then 20 loops send them all at once for a few seconds while a normal client keeps asking:
 * every one of its answers equals the answer it got before, and the server is still up afterwards.
 *
 * Timings are recorded, not asserted (test-artifacts/abuse.json and the test's output): how fast each refusal
 * comes, and the normal client's latency when idle and under the crowd.
 */
import fs from 'node:fs';
import path from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { FIELD_COSTS, MAX_COST, MAX_STRING_CHARS, MAX_TOKENS } from '../../api/graphql/limits.ts';
import { MAX_TREND_POINTS } from '../../api/aggregate/queries.ts';
import { loadFiles } from '../../etl/load.ts';
import { openWarehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehousePath, tempDir, unitId, writeFile } from '../helpers.ts';
import { type Background, gql, type GqlResponse, pcmbnBackground, pcmbnEnv, post, projectRoot } from './client.ts';

let serve: Background;
let url: string;
let origin: string;
let analyst: string;

beforeAll(async () => {
  const db = await freshWarehousePath();
  const w = await openWarehouse(db);
  try {
    const dir = tempDir('pcmbn-abuse-');
    writeFile(
      dir,
      'reports.csv',
      csv(
        'unit_code,period,indicator,value,submitted_on',
        '2025-03:70,2024,hotline_calls,100,2024-12-10',
        '2025-03:731,2024Q1,hotline_calls,10,2024-03-10',
        '2025-03:739,2024,hotline_calls,12,2024-12-10',
        '2025-03:26041,202403,hotline_calls,1,2024-04-05',
        '2025-03:26050,202407,hotline_calls,2,2024-08-05',
        '2025-07:75,2025S2,hotline_calls,7,2025-11-10',
        '2025-07:26041,202509,hotline_calls,4,2025-10-05',
        '2025-03:001,2024,hotline_calls,5,2024-12-10',
      ),
    );
    const loaded = await loadFiles(w, [dir], { today: '2025-11-20' });
    expect(loaded.files.map((f) => f.status)).toEqual(['loaded']);
    analyst = (await createApiKey(w, { role: 'analyst', unitId: await unitId(w, 'VN'), label: 'abuse test' })).token;
  } finally {
    await w.close();
  }
  serve = pcmbnBackground(pcmbnEnv(db, { PORT: '0' }), 'serve');
  [, url] = await serve.waitFor(/^GraphQL {2}(http:\/\/127\.0\.0\.1:\d+\/graphql)$/m, 60_000);
  origin = new URL(url).origin;
}, 90_000);

afterAll(async () => {
  if (serve) expect(await serve.stop()).toBe(0);
  await cleanupTemp();
});

/** Lookups of the server's result cache so far: every figure of the warehouse goes through one. */
async function warehouseReads(): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  return [...text.matchAll(/^pcmbn_result_cache_lookups_total\{result="\w+"\} (\d+)$/gm)].reduce(
    (s, m) => s + Number(m[1]),
    0,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The abuse, one request each.

interface Abuse {
  name: string;
  /** A request body: an object or array sent as JSON, or raw text. */
  body: unknown;
  authorization?: string;
  status: number;
  code: string;
  /** `extensions.limit` of our own limits. */
  limit?: string;
  message: RegExp;
  /** Refused before any resolver reads the warehouse (false for limits GraphQL checks inside a resolver). */
  beforeData?: boolean;
}

const times = (n: number, f: (i: number) => string, sep = ' ') => Array.from({ length: n }, (_, i) => f(i)).join(sep);
const nested = (n: number, field: string, leaf: string) => `${`${field} { `.repeat(n)}${leaf}${' }'.repeat(n)}`;
const KPI = (i: number) => `k${i}: kpi(indicator: "hotline_calls", unit: "VN", period: "${2001 + (i % 25)}") { value }`;
const TREND = (i: number) =>
  `t${i}: trend(indicator: "hotline_calls", unit: "VN", from: "2001", to: "2040", granularity: MONTH) { value }`;
const doubling = (n: number) =>
  `{ adminUnit(code: "VN") { ...F${n} } } ` +
  `${times(n, (i) => `fragment F${i + 1} on AdminUnit { ...F${i} ...F${i} }`)} fragment F0 on AdminUnit { ref }`;
const GQL = 'GRAPHQL_VALIDATION_FAILED';

const ABUSES: Abuse[] = [
  {
    name: 'deeply nested (200 levels)',
    body: { query: `{ adminUnit(code: "2025-03:26041") { ${nested(200, 'parent', 'ref')} } }` },
    status: 400,
    code: GQL,
    limit: 'depth',
    message: /^the query is 202 levels deep; the limit is 8: ask for fewer nested fields$/,
  },
  {
    name: 'nested past the parser’s limit (1,500 levels)',
    body: { query: `{ adminUnit(code: "VN") { ${nested(1500, 'children', 'ref')} } }` },
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
    limit: 'tokens',
    message: new RegExp(`^the query holds more than ${MAX_TOKENS} tokens .*: ask for fewer fields or split the query$`),
  },
  {
    name: 'very wide (5,000 fields)',
    body: { query: `{ indicators { ${times(5000, () => 'code')} } }` },
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
    limit: 'tokens',
    message: /^the query holds more than 2000 tokens/,
  },
  {
    name: 'wide within the token limit (600 aliases below a list)',
    body: { query: `{ indicators { ${times(600, (i) => `a${i}: code`)} } }` },
    status: 400,
    code: GQL,
    limit: 'cost',
    message:
      /^the query costs 6001; the limit is 5000 \(each field costs 1, one that reads the warehouse 100, fields below a list count 10 times/,
  },
  {
    name: 'one field repeated 1,900 times',
    body: { query: `{ indicators { ${times(1900, () => '__typename')} } }` },
    status: 400,
    code: GQL,
    message:
      /^the query (costs 19001; the limit is 5000|repeats too many fields of the same name to be checked: ask for each field once)/,
  },
  {
    name: 'a monthly trend over a century (2000–2100)',
    body: {
      query: '{ trend(indicator: "hotline_calls", from: "2000", to: "2100", granularity: MONTH) { period value } }',
    },
    status: 200,
    code: 'BAD_USER_INPUT',
    message: new RegExp(
      `^from: 2000–2100 by MONTH is about 1212 points: expected at most ${MAX_TREND_POINTS}; use a coarser ` +
        `granularity or a shorter range$`,
    ),
  },
  {
    name: 'a trend from 1900 to 2100',
    body: {
      query: '{ trend(indicator: "hotline_calls", from: "1900", to: "2100", granularity: YEAR) { period value } }',
    },
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /^from: "1900": year 1900 is outside 2000–2100$/,
  },
  {
    name: 'aliases multiplying a costly field (60 × kpi)',
    body: { query: `{ ${times(60, KPI)} }` },
    status: 400,
    code: GQL,
    limit: 'cost',
    message: /^the query costs 6060; the limit is 5000/,
  },
  {
    name: 'aliases multiplying a long trend (50 × 480 months)',
    body: { query: `{ ${times(50, TREND)} }` },
    status: 400,
    code: GQL,
    limit: 'cost',
    message: /^the query costs 5500; the limit is 5000/,
  },
  {
    name: 'a batch of 500 operations',
    body: Array.from({ length: 500 }, (_, i) => ({ query: `{ ${KPI(i)} }` })),
    status: 400,
    code: 'BAD_REQUEST',
    message: /^batched requests are not accepted: send one GraphQL operation per request \(this body holds 500\)$/,
  },
  {
    name: 'a 90,000-character variable',
    body: {
      query: 'query($u: String!) { kpi(indicator: "hotline_calls", unit: $u, period: "2024") { value } }',
      variables: { u: '7'.repeat(90_000) },
    },
    status: 400,
    code: 'BAD_USER_INPUT',
    message: new RegExp(`^variables\\.u: a string of 90,000 characters; an argument holds at most ${MAX_STRING_CHARS}`),
  },
  {
    name: 'a long string deep inside the variables',
    body: { query: '{ indicators { code } }', variables: { a: [{ b: [1, 2, { c: 'x'.repeat(5000) }] }] } },
    status: 400,
    code: 'BAD_USER_INPUT',
    message: /^variables\.a\[0\]\.b\[2\]\.c: a string of 5,000 characters/,
  },
  {
    name: 'a 10,000-character string in an argument',
    body: { query: `{ adminUnits(search: "${'ha noi '.repeat(1500)}") { ref } }` },
    status: 400,
    code: GQL,
    limit: 'string',
    message: /^a string of 10,500 characters; an argument holds at most 256/,
  },
  {
    name: 'a fragment cycle',
    body: {
      query: '{ adminUnit(code: "VN") { ...A } } fragment A on AdminUnit { ...B } fragment B on AdminUnit { ...A }',
    },
    status: 400,
    code: GQL,
    message: /^Cannot spread fragment "A" within itself via "B"\.$/,
  },
  {
    name: 'fragments doubling 40 times (10¹² selections)',
    body: { query: doubling(40) },
    status: 400,
    code: GQL,
    message: /^Anonymous operation recursively requests too many selections\.$/,
  },
  {
    name: 'many fragments (400 chained)',
    body: {
      query:
        `{ adminUnit(code: "VN") { ...G0 } } ` +
        `${times(400, (i) => `fragment G${i} on AdminUnit { ref ${i < 399 ? `...G${i + 1}` : ''} }`)}`,
    },
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
    limit: 'tokens',
    message: /^the query holds more than 2000 tokens/,
  },
  {
    name: 'introspection 60 times (aliases)',
    body: { query: `{ ${times(60, (i) => `s${i}: __schema { types { name fields { name } } }`)} }` },
    status: 400,
    code: GQL,
    limit: 'introspection',
    message: /^the query asks for the schema \(__schema or __type\) 60 times; the limit is 5: ask for it once/,
  },
  {
    name: 'introspection through fragments (8 × __type)',
    body: {
      query:
        `{ ...Q } fragment Q on Query { ` +
        `${times(8, (i) => `t${i}: __type(name: "AdminUnit") { fields { name } }`)} }`,
    },
    status: 400,
    code: GQL,
    limit: 'introspection',
    message: /asks for the schema \(__schema or __type\) 8 times/,
  },
  {
    name: 'introspection nested (fields of types of fields…)',
    body: { query: `{ __schema { types { ${'fields { type { '.repeat(4)}name${' } }'.repeat(4)} } } }` },
    status: 400,
    code: GQL,
    message: /^Maximum introspection depth exceeded$/,
  },
  {
    name: 'a directive repeated 2,000 times',
    body: { query: `{ indicators ${times(2000, () => '@include(if: true)')} { code } }` },
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
    limit: 'tokens',
    message: /^the query holds more than 2000 tokens/,
  },
  {
    name: 'a body over 100 kB',
    body: { query: `{ indicators { code } } # ${'x'.repeat(110_000)}` },
    status: 413,
    code: 'BAD_REQUEST',
    message: /^the request body is larger than 100 kB: send a smaller query$/,
  },
  {
    name: 'a body that is not JSON',
    body: '{"query": "{ indicators { code } }"',
    status: 400,
    code: 'BAD_REQUEST',
    message: /^the request body is not valid JSON/,
  },
  {
    name: 'an unknown API key',
    body: { query: '{ indicators { code } }' },
    authorization: `Bearer pcmbn_${'Q'.repeat(43)}`,
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /^unknown API key$/,
  },
];

/** Refusal times of each abuse on an otherwise idle server (ms). */
const idleRefusalMs = new Map<string, number[]>();

function send(a: Abuse): Promise<GqlResponse> {
  return post(url, a.body, { authorization: a.authorization ?? `Bearer ${analyst}` });
}

function expectRefused(a: Abuse, r: GqlResponse): void {
  expect(r.status, `${a.name}: ${r.text.slice(0, 300)}`).toBe(a.status);
  expect(
    Object.values(r.body.data ?? {}).filter((v) => v !== null),
    a.name,
  ).toEqual([]); // no data: none at all, or the refused field null
  const errors = r.body.errors ?? [];
  expect(errors.length, a.name).toBeGreaterThan(0);
  // The error that names the limit (the depth limit also reports the cost of so deep a query, for one).
  const e = errors.find((x) => (a.limit ? x.extensions?.limit === a.limit : a.message.test(x.message)));
  expect(e, `${a.name}: ${JSON.stringify(errors).slice(0, 400)}`).toBeDefined();
  expect(e!.extensions?.code, a.name).toBe(a.code);
  expect(e!.message, a.name).toMatch(a.message);
  // Nothing internal, and nothing echoed back at length.
  expect(r.text, a.name).not.toMatch(/internal error|at .*\.ts:\d+|SELECT /);
  expect(r.text.length, a.name).toBeLessThan(4_000);
}

describe('each abuse is refused with a clear error', () => {
  for (const a of ABUSES) {
    it(a.name, async () => {
      const before = await warehouseReads();
      expectRefused(a, await send(a));
      // Four more, timed (the first may warm something up), for the figures.
      const ms: number[] = [];
      for (let i = 0; i < 4; i++) {
        const t0 = performance.now();
        await send(a);
        ms.push(performance.now() - t0);
      }
      idleRefusalMs.set(a.name, ms);
      expect(await warehouseReads(), `${a.name}: the warehouse was read`).toBe(before);
    });
  }

  it(
    'every query that reads the warehouse is priced as such, so aliases of a new one cannot slip under the cost ' +
      'limit',
    async () => {
      // The Query fields that answer from memory (the catalogue, the unit directory, the calendar of campaigns, the
      // key).
      const fromMemory = ['indicators', 'adminUnit', 'adminUnits', 'campaigns', 'me'];
      const r = await gql(url, '{ __schema { queryType { fields { name } } } }', { token: analyst });
      const fields = (r.body.data.__schema.queryType.fields as { name: string }[]).map((f) => f.name).sort();
      expect(fields).toEqual([...fromMemory, ...Object.keys(FIELD_COSTS).map((k) => k.replace(/^Query\./, ''))].sort());
    },
  );

  it('the limits leave room for real clients: the introspection query, 49 KPIs at once, one __schema and four __type', async () => {
    const intro = await gql(url, getIntrospectionQuery(), { token: analyst });
    expect(intro.body.errors).toBeUndefined();
    const kpis = await gql(url, `{ ${times(49, KPI)} }`, { token: analyst });
    expect(kpis.body.errors).toBeUndefined();
    expect(Object.keys(kpis.body.data)).toHaveLength(49);
    expect(MAX_COST / (FIELD_COSTS['Query.kpi'] + 1)).toBeGreaterThanOrEqual(49);
    const types = await gql(
      url,
      `{ __schema { queryType { name } } ${times(4, (i) => `t${i}: __type(name: "KpiValue") { name }`)} }`,
      { token: analyst },
    );
    expect(types.body.errors).toBeUndefined();
    // Unused variables, even many of them, cost nothing and are ignored (GraphQL's rule): answered.
    const vars = await post(
      url,
      {
        query: '{ indicators { code } }',
        variables: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`v${i}`, i])),
      },
      { authorization: `Bearer ${analyst}` },
    );
    expect(vars.status).toBe(200);
    expect(vars.body.errors).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A normal client under a crowd of abusers.

/** What a dashboard asks, with the answers checked against those taken before the crowd. */
const NORMAL: { name: string; query: string }[] = [
  {
    name: 'kpi',
    query: '{ kpi(indicator: "hotline_calls", unit: "VN", period: "2024") { value previousValue status } }',
  },
  {
    name: 'trend',
    query:
      '{ trend(indicator: "hotline_calls", unit: "2025-07:75", from: "2024", to: "2025", granularity: MONTH) { ' +
      'period value } }',
  },
  {
    name: 'breakdown',
    query:
      '{ breakdown(indicator: "hotline_calls", unit: "2025-03:75", period: "2024", level: DISTRICT) { unit { ref } ' +
      'value rank } }',
  },
  { name: 'units', query: '{ adminUnits(parent: "2025-07:75", search: "bien hoa") { ref name } }' },
];

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const round = (x: number) => Math.round(x * 10) / 10;

describe('the server under a crowd of abusers', () => {
  it('answers a normal client every time, with the same answers as before, and stays up', async () => {
    const expected = new Map<string, unknown>();
    for (const n of NORMAL) {
      const r = await gql(url, n.query, { token: analyst });
      expect(r.body.errors, n.name).toBeUndefined();
      expected.set(n.name, r.body.data);
    }
    expect(JSON.stringify(expected.get('kpi'))).toMatch(/"value":\d/); // figures, not an empty warehouse

    /** The normal client: the four queries in turn for `ms`; every answer checked; latencies in ms. */
    async function normalClient(ms: number): Promise<{ latencies: number[]; wrong: string[] }> {
      const latencies: number[] = [];
      const wrong: string[] = [];
      const end = Date.now() + ms;
      for (let i = 0; Date.now() < end; i++) {
        const n = NORMAL[i % NORMAL.length];
        const t0 = performance.now();
        const r = await gql(url, n.query, { token: analyst });
        latencies.push(performance.now() - t0);
        if (r.status !== 200 || r.body.errors || JSON.stringify(r.body.data) !== JSON.stringify(expected.get(n.name))) {
          wrong.push(`${n.name}: ${r.status} ${r.text.slice(0, 200)}`);
        }
      }
      return { latencies, wrong };
    }

    const idle = await normalClient(3_000);

    const CROWD = 20;
    const CROWD_MS = 5_000;
    const refusals = new Map<string, number[]>(ABUSES.map((a) => [a.name, []]));
    const unexpected: string[] = [];
    let stop = false;
    const crowd = Array.from({ length: CROWD }, async (_, k) => {
      for (let i = k; !stop; i++) {
        const a = ABUSES[i % ABUSES.length];
        const t0 = performance.now();
        try {
          const r = await send(a);
          refusals.get(a.name)!.push(performance.now() - t0);
          if (r.status !== a.status) unexpected.push(`${a.name}: ${r.status}`);
        } catch (e) {
          unexpected.push(`${a.name}: ${String(e)}`);
        }
      }
    });
    const underAbuse = await normalClient(CROWD_MS);
    stop = true;
    await Promise.all(crowd);

    expect(underAbuse.wrong).toEqual([]);
    expect(idle.wrong).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(underAbuse.latencies.length).toBeGreaterThan(0);
    const health = await fetch(`${origin}/healthz`);
    expect(health.status).toBe(200);
    expect(serve.child.exitCode).toBeNull();
    expect(serve.stderr()).not.toMatch(/internal error|Error:/);

    const all = [...refusals.values()].flat();
    const figures = {
      crowd: {
        loops: CROWD,
        seconds: CROWD_MS / 1000,
        abusiveRequests: all.length,
        medianRefusalMs: round(quantile(all, 0.5)),
        p99RefusalMs: round(quantile(all, 0.99)),
      },
      idleRefusalMs: {
        median: round(quantile([...idleRefusalMs.values()].flat(), 0.5)),
        p99: round(quantile([...idleRefusalMs.values()].flat(), 0.99)),
      },
      refusalMedianMs: Object.fromEntries(
        [...refusals].map(([name, xs]) => [
          name,
          {
            idle: round(quantile(idleRefusalMs.get(name) ?? [], 0.5)),
            underAbuse: round(quantile(xs, 0.5)),
            sentUnderAbuse: xs.length,
          },
        ]),
      ),
      normalClient: {
        idle: {
          requests: idle.latencies.length,
          p50Ms: round(quantile(idle.latencies, 0.5)),
          p99Ms: round(quantile(idle.latencies, 0.99)),
        },
        underAbuse: {
          requests: underAbuse.latencies.length,
          p50Ms: round(quantile(underAbuse.latencies, 0.5)),
          p99Ms: round(quantile(underAbuse.latencies, 0.99)),
          failed: underAbuse.wrong.length,
        },
      },
    };
    const out = path.join(projectRoot, 'test-artifacts', 'abuse.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(figures, null, 2) + '\n');
    console.log(`abuse figures (${out}):\n${JSON.stringify(figures, null, 2)}`);
  }, 60_000);
});

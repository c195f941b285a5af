/**
 * GraphQL over GET (query and variables in the URL) meets the same limits as a POST: the variables' string limit,
 * which the server checks before GraphQL runs, and the document's limits, which GraphQL checks for both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { MAX_STRING_CHARS } from '../../api/graphql/limits.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { cleanupTemp, freshWarehouse } from '../helpers.ts';
import { codes, gql } from './client.ts';

let server: RunningServer;
let token: string;

beforeAll(async () => {
  const w = await freshWarehouse();
  token = (await createApiKey(w, { role: 'analyst', unitId: 0 })).token;
  server = await startServer({ warehouse: w, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

/** A GET as a script sends it (Apollo asks a GET for a preflight header, against cross-site requests). */
async function get(query: string, variables?: Record<string, unknown>) {
  const url = new URL(server.url);
  url.searchParams.set('query', query);
  if (variables) url.searchParams.set('variables', JSON.stringify(variables));
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true', accept: 'application/json' },
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] },
  };
}

const KPI = 'query($u: String!) { kpi(indicator: "hotline_calls", unit: $u, period: "2024") { value } }';

describe('GET /graphql', () => {
  it('a 3,000-character variable is refused as by POST (400, BAD_USER_INPUT, naming the variable)', async () => {
    const variables = { u: '7'.repeat(3000) };
    const byPost = await gql(server.url, KPI, { token, variables });
    const byGet = await get(KPI, variables);
    expect(byPost.status).toBe(400);
    expect(byGet.status).toBe(400);
    expect(codes(byPost)).toEqual(['BAD_USER_INPUT']);
    expect(byGet.body.errors!.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(byGet.body.errors![0].message).toMatch(
      new RegExp(`^variables\\.u: a string of 3,000 characters; an argument holds at most ${MAX_STRING_CHARS}`),
    );
    expect(byGet.body.errors![0].message).toBe(byPost.body.errors![0].message);
  });

  it('short variables pass, and the document limits hold (depth)', async () => {
    const ok = await get('query($u: String!) { adminUnit(code: $u) { ref } }', { u: 'VN' });
    expect(ok.status).toBe(200);
    expect(ok.body.data.adminUnit.ref).toBe('VN');
    const deep = await get(`{ adminUnit(code: "VN") { ${'parent { '.repeat(20)}ref${' }'.repeat(20)} } }`);
    expect(deep.status).toBe(400);
    expect(deep.body.errors![0].message).toMatch(/levels deep; the limit is 8/);
  });
});

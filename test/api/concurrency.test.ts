/**
 * Scheduled loads while 50 clients query a real `pcmbn serve` (its inbox scanned every second): no request fails,
 * and every answer equals the answer of the same query on the warehouse before or after one of the loads, never
 * a mix. The answers of each state are taken beforehand on a copy of the warehouse, loading the same files one
 * drop at a time in this process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import { generateProvince } from '../../etl/sample.ts';
import { inboxFiles } from '../../etl/inbox.ts';
import { openWarehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, freshWarehousePath, tempDir, writeSample } from '../helpers.ts';
import { gql, pcmbnBackground, pcmbnEnv } from './client.ts';

const CLIENTS = 50;

/**
 * What the clients ask: several statements per answer (values, previous year, sources, completeness), lists, ranks.
 */
const QUERIES: { name: string; role: 'analyst' | 'viewer'; query: string }[] = [
  {
    name: 'province kpis',
    role: 'analyst',
    query: `{ kpis(indicators: ["victims_returned", "tipoffs_received", "case_clearance_rate", "outreach_participants",
      "community_models_active"], unit: "2025-03:12", period: "2024")
      { indicator { code } value numerator denominator previousValue change status complete suppressed sources } }`,
  },
  {
    name: 'national kpis (viewer)',
    role: 'viewer',
    query: `{ kpis(indicators: ["victims_returned", "victims_supported", "victim_support_rate", "cases_solved"], unit: "VN", period: "2024")
      { indicator { code } value previousValue suppressed complete } }`,
  },
  {
    name: 'monthly trend',
    role: 'analyst',
    query:
      '{ trend(indicator: "tipoffs_received", unit: "2025-03:12", from: "202301", to: "202512", granularity: MONTH) ' +
      '{ period value complete } }',
  },
  {
    name: 'quarterly trend (viewer)',
    role: 'viewer',
    query:
      '{ trend(indicator: "victims_returned", unit: "2025-03:12", from: "2023Q1", to: "2025Q4", granularity: ' +
      'QUARTER) { period value suppressed } }',
  },
  {
    name: 'district breakdown',
    role: 'analyst',
    query:
      '{ breakdown(indicator: "cases_initiated", unit: "2025-03:12", period: "2024") { unit { ref } value rank ' +
      'status } }',
  },
  {
    name: 'ward breakdown',
    role: 'analyst',
    query:
      '{ breakdown(indicator: "outreach_sessions", unit: "2025-03:12", period: "2024Q3", level: WARD) { unit { ref ' +
      '} value rank } }',
  },
  {
    name: 'compliance',
    role: 'analyst',
    query:
      '{ reportingCompliance(unit: "2025-03:12", period: "202406") { expected received onTime late missing { ref } ' +
      '} }',
  },
  {
    name: 'discrepancies',
    role: 'analyst',
    query:
      '{ discrepancies(unit: "2025-03:12", period: "2024") { unit { ref } indicator period reported childrenSum } }',
  },
];

let base: string;
let tokens: Record<'analyst' | 'viewer', string>;
/** One folder per scheduled drop, each a set of files loaded by one scan. */
let drops: string[][];

beforeAll(async () => {
  const files = (province: string, seed: number, pattern: RegExp) =>
    generateProvince({ scale: 'demo', list: '2025-03', province, seed }).files.filter((f) => pattern.test(f.path));
  base = await freshWarehousePath();
  const w = await openWarehouse(base);
  try {
    await loadFiles(w, writeSample(tempDir(), files('12', 1, /./)));
    tokens = {
      analyst: (await createApiKey(w, { role: 'analyst', unitId: 0 })).token,
      viewer: (await createApiKey(w, { role: 'viewer', unitId: 0 })).token,
    };
  } finally {
    await w.close();
  }
  // Revisions of the same figures (other seeds, same submission dates: the later load wins), then new ground.
  drops = [
    files('12', 2, /wards\/.*-2024\.csv$/),
    files('12', 3, /consolidated\/.*-2024\.csv$/),
    files('12', 4, /wards\/.*-2025\.csv$/),
    [...files('12', 5, /wards\/.*-2024\.csv$/), ...files('12', 5, /consolidated\/.*-2023\.csv$/)],
    files('14', 1, /consolidated\/.*-2024\.csv$/),
  ].map((set) => writeSample(tempDir(), set));
}, 120_000);
afterAll(cleanupTemp);

async function answer(url: string, q: (typeof QUERIES)[number]): Promise<string> {
  const r = await gql(url, q.query, { token: tokens[q.role] });
  if (r.status !== 200 || r.body.errors)
    throw new Error(`${q.name}: HTTP ${r.status} ${JSON.stringify(r.body.errors)}`);
  return JSON.stringify(r.body.data);
}

/** The answers of every query on the warehouse before the drops and after each one. */
async function answersByState(): Promise<Map<string, number[]>[]> {
  const db = path.join(tempDir(), 'reference.duckdb');
  fs.copyFileSync(base, db);
  const w = await openWarehouse(db);
  const server = await startServer({ warehouse: w, port: 0 });
  const states: Map<string, number[]>[] = QUERIES.map(() => new Map());
  try {
    for (let state = 0; state <= drops.length; state++) {
      if (state > 0) await loadFiles(w, drops[state - 1], { holdReaders: server.holdReaders });
      for (const [i, q] of QUERIES.entries()) {
        const a = await answer(server.url, q);
        states[i].set(a, [...(states[i].get(a) ?? []), state]);
      }
    }
  } finally {
    await server.close();
    await w.close();
  }
  return states;
}

describe('scheduled loads while 50 clients query', () => {
  it('no request fails and every answer is one of before or after each load', async () => {
    const expected = await answersByState();
    // Real figures, not a warehouse of nulls agreeing with itself.
    const [kpis] = [...expected[0].entries()].find(([, states]) => states.includes(0))!;
    for (const k of JSON.parse(kpis).kpis) expect(k.value, k.indicator.code).toEqual(expect.any(Number));
    // Each drop changes some answer, so that a mix of two states would show.
    for (let state = 1; state <= drops.length; state++) {
      expect(
        expected.some((m) => [...m.values()].some((s) => s.includes(state) && !s.includes(state - 1))),
        `drop ${state}`,
      ).toBe(true);
    }

    const db = path.join(tempDir(), 'live.duckdb');
    fs.copyFileSync(base, db);
    const inbox = path.join(tempDir(), 'inbox');
    const server = pcmbnBackground(pcmbnEnv(db, { PORT: '0' }), 'serve', '--inbox', inbox, '--cron', '* * * * * *');
    const seen: { query: number; answer: string; sentAt: number }[] = [];
    const failures: string[] = [];
    try {
      const [, url] = await server.waitFor(/^GraphQL {2}(http:\S+)$/m, 60_000);
      let stop = false;
      const client = async (n: number) => {
        for (let i = n; !stop; i++) {
          const query = i % QUERIES.length;
          const sentAt = performance.now();
          try {
            seen.push({ query, answer: await answer(url, QUERIES[query]), sentAt });
          } catch (e) {
            failures.push((e as Error).message);
          }
        }
      };
      const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
      const runLines = () =>
        server
          .stdout()
          .split('\n')
          .filter((l) => l.startsWith('run '));

      for (const [k, files] of drops.entries()) {
        // Files appear in the inbox whole (a rename), as a copy tool should deliver them.
        for (const f of files) {
          const staged = path.join(path.dirname(inbox), `${k}-${path.basename(f)}`);
          fs.copyFileSync(f, staged);
          fs.renameSync(staged, path.join(inbox, path.basename(f)));
        }
        // Each scan prints one summary line once its commit is out.
        while (runLines().length <= k) await new Promise((r) => setTimeout(r, 50));
        expect(runLines()[k]).toMatch(new RegExp(`^run \\d+: ${files.length} loaded, 0 unchanged, 0 rejected`));
        expect(inboxFiles(inbox)).toEqual([]);
        // The scan's summary is printed once its commit is out: let the clients see this state for a while, and
        // every query at least once asked after it (answers from the response cache come much faster than the
        // others, so a count of answers alone can pass before a slow query has been asked again).
        const before = seen.length;
        const since = performance.now();
        const askedAfter = () => new Set(seen.filter((a) => a.sentAt >= since).map((a) => a.query)).size;
        while ((seen.length < before + 2 * CLIENTS || askedAfter() < QUERIES.length) && !failures.length)
          await new Promise((r) => setTimeout(r, 20));
      }
      stop = true;
      await Promise.all(clients);
    } finally {
      expect(await server.stop()).toBe(0);
    }

    expect(failures).toEqual([]);
    const statesSeen = new Set<number>();
    for (const s of seen) {
      const states = expected[s.query].get(s.answer);
      expect(
        states,
        `${QUERIES[s.query].name} answered ${s.answer.slice(0, 300)}…, the answer of no state`,
      ).toBeDefined();
      if (states!.length === 1) statesSeen.add(states![0]);
    }
    // The clients were there throughout: answers only the warehouse before the loads gives, only the one after
    // them, and at least one only a state in between gives.
    expect(statesSeen).toContain(0);
    expect(statesSeen).toContain(drops.length);
    expect(statesSeen.size).toBeGreaterThanOrEqual(3);
    console.log(
      `${seen.length} answers from ${CLIENTS} clients across ${drops.length} scheduled loads, each equal to the ` +
        `answer before or after a load`,
    );
  }, 300_000);
});

/**
 * Loads and requests take turns (api/loadGate.ts): the rules alone, then over HTTP, where a request that comes
 * while a load holds the readers is answered only after the load lets them go, from the data the load committed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { LoadGate } from '../../api/loadGate.ts';
import { startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import { cleanupTemp, csv, freshWarehouse, HEADER, tempDir, writeFile } from '../helpers.ts';
import { gql } from './client.ts';

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

afterAll(cleanupTemp);

describe('LoadGate', () => {
  it('a hold waits for the requests in flight; requests that come meanwhile wait for the release', async () => {
    const gate = new LoadGate();
    const events: string[] = [];
    const leaveA = await gate.enter();
    const held = gate.hold().then((release) => (events.push('hold'), release));
    await settle();
    expect(events).toEqual([]); // request A still in flight

    // B comes after the load asked: it waits, though a request is in flight (the load goes first).
    const b = gate.enter().then((leave) => (events.push('B'), leave));
    await settle();
    leaveA();
    const release = await held;
    await settle();
    expect(events).toEqual(['hold']);
    release();
    (await b)();
    expect(events).toEqual(['hold', 'B']);
  });

  it('leaving or releasing twice counts once', async () => {
    const gate = new LoadGate();
    const leave = await gate.enter();
    leave();
    leave();
    const release = await gate.hold();
    release();
    release();
    const again = await gate.enter();
    again();
    (await gate.hold())();
  });
});

describe('a server holding its readers', () => {
  it('answers a request that came during the hold after the release, with what the load committed', async () => {
    const w = await freshWarehouse();
    const dir = tempDir();
    await loadFiles(w, [writeFile(dir, 'a.csv', csv(HEADER, 'VN,2024,cases_initiated,3'))]);
    const { token } = await createApiKey(w, { role: 'analyst', unitId: 0 });
    const server = await startServer({ warehouse: w, port: 0 });
    const query = '{ kpi(indicator: "cases_initiated", unit: "VN", period: "2024") { value } }';
    try {
      expect((await gql(server.url, query, { token })).body.data.kpi.value).toBe(3);
      const events: string[] = [];
      const release = await server.holdReaders();
      const answer = gql(server.url, query, { token }).then((r) => (events.push('answer'), r));
      // While the readers are held, a load commits in this process (as the schedule's does).
      await loadFiles(w, [writeFile(dir, 'b.csv', csv(HEADER, 'VN,2024,cases_initiated,5'))]);
      await settle();
      expect(events).toEqual([]);
      events.push('release');
      release();
      expect((await answer).body.data.kpi.value).toBe(5); // not the cached 3
      expect(events).toEqual(['release', 'answer']);
    } finally {
      await server.close();
    }
  });
});

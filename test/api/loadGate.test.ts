/**
 * Loads and requests take turns (api/loadGate.ts): the rules alone, then over HTTP, where a request that comes
 * while a load holds the readers is answered only after the load lets them go, from the data the load committed.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { LoadGate } from '../../api/loadGate.ts';
import { startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import { cleanupTemp, csv, freshWarehouse, HEADER, tempDir, writeFile } from '../helpers.ts';
import { codes, gql } from './client.ts';

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

afterAll(cleanupTemp);

/** Resolves with `value` after `ms`, to bound a wait that would otherwise never end. */
const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms).unref());

describe('LoadGate', () => {
  it('each hold, as it ends, reports how long it held requests back and how many waited', async () => {
    const reports: { heldMs: number; requestsHeld: number }[] = [];
    const gate = new LoadGate(undefined, (r) => reports.push(r));
    const leaveA = await gate.enter();
    const held = gate.hold();
    const b = gate.enter(); // waits behind the load, which waits for A
    await settle();
    leaveA();
    const release = await held;
    const c = gate.enter(); // comes during the hold
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reports).toEqual([]);
    release();
    (await b)();
    (await c)();
    expect(reports).toHaveLength(1);
    expect(reports[0].requestsHeld).toBe(2);
    expect(reports[0].heldMs).toBeGreaterThanOrEqual(45);

    // A hold nobody waited for reports none.
    (await gate.hold())();
    expect(reports[1].requestsHeld).toBe(0);
  });

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

describe('LoadGate with a wait limit', () => {
  it('a load goes ahead of a request that never leaves once its wait runs out; that request leaves uncounted', async () => {
    const inFlight: number[] = [];
    const gate = new LoadGate((n) => inFlight.push(n));
    const stuck = await gate.enter();
    const release = await Promise.race([gate.hold(50), after(5_000, null)]); // for ever, without the limit
    expect(inFlight).toEqual([1]);
    release!();

    const events: string[] = [];
    const leaveB = await gate.enter();
    stuck(); // the left-behind request ends at last: it must not count as B leaving
    const held = gate.hold().then((r) => (events.push('hold'), r));
    await settle();
    expect(events).toEqual([]); // B is still in flight
    leaveB();
    (await held)();
    expect(events).toEqual(['hold']);
  });
});

describe('a client that never reads its answer', () => {
  it('holds no load back: the request counts as done once its answer is handed to the socket', async () => {
    const w = await freshWarehouse();
    const { token } = await createApiKey(w, { role: 'analyst', unitId: 0 });
    const server = await startServer({ warehouse: w, port: 0 });
    // About 6 MB (under the answer limit), more than the loopback socket's buffers take from a peer that reads
    // nothing.
    const fields = 'code name type code2: code p: parent { code name type }';
    const query =
      `{ ` +
      `${Array.from({ length: 12 }, (_, i) => `a${i}: adminUnits(level: WARD, limit: 5000) { ${fields} }`).join(' ')} ` +
      `}`;
    const body = JSON.stringify({ query });
    const socket = net.connect(server.port, '127.0.0.1');
    try {
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: ` +
          `application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      // The first bytes of the answer arrive; the client reads no more of it.
      await new Promise((resolve) => socket.once('readable', resolve));
      expect(String(socket.read(12))).toBe('HTTP/1.1 200'); // the answer itself, not a refusal
      const outcome = await Promise.race([
        server.holdReaders().then((release) => (release(), 'held')),
        after(10_000, 'stuck'),
      ]);
      expect(outcome).toBe('held');
      const r = await gql(server.url, '{ adminUnit(code: "VN") { name } }', { token });
      expect(r.body.data.adminUnit.name).toBeTruthy();
    } finally {
      socket.destroy();
      await server.close();
    }
  }, 30_000);

  it('an answer over the size limit is refused with ANSWER_TOO_LARGE, naming the limit', async () => {
    const w = await freshWarehouse();
    const { token } = await createApiKey(w, { role: 'analyst', unitId: 0 });
    const server = await startServer({ warehouse: w, port: 0, maxAnswerBytes: 100_000 });
    try {
      const r = await gql(server.url, '{ adminUnits(level: WARD, limit: 5000) { code name } }', { token });
      expect(r.status).toBe(400);
      expect(codes(r)).toEqual(['ANSWER_TOO_LARGE']);
      expect(r.body.errors![0].message).toMatch(/an answer holds at most 100,000: ask for fewer rows/);
      expect(r.body.data).toBeUndefined();
      const small = await gql(server.url, '{ adminUnits(level: PROVINCE) { code } }', { token });
      expect(small.body.data.adminUnits.length).toBeGreaterThan(30);
    } finally {
      await server.close();
    }
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

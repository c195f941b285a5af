/**
 * `pcmbn dashboards push` against a local server that answers like Grafana's documented HTTP API (no Grafana can
 * be installed here): creation, idempotence, replacing edits made in Grafana, and a clear error for each failure
 * Grafana documents (401, 403, 412 version-mismatch and name-exists) and for hosts that cannot be reached.
 */
import { createServer, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grafanaDashboards } from '../../dashboards/grafana.ts';
import { GrafanaClient, GrafanaError } from '../../dashboards/grafana-client.ts';
import { canonicalJson, keyFingerprint, type PushOptions, pushDashboards } from '../../dashboards/push.ts';
import { pcmbn, pcmbnEnv } from '../api/client.ts';
import { cleanupTemp, tempDir } from '../helpers.ts';
import { type FakeGrafana, startFakeGrafana, TOKENS } from './fake-grafana.ts';

let grafana: FakeGrafana;
const API_KEY = 'pcmbn_demoKeyForTheGrafanaDataSource0123456789abcdefghijk';

beforeEach(async () => {
  grafana = await startFakeGrafana();
});
afterEach(async () => {
  await grafana.close();
});
afterAll(cleanupTemp);

const push = (o: Partial<PushOptions> = {}) =>
  pushDashboards({ grafanaUrl: grafana.url, token: TOKENS.admin, apiKey: API_KEY, ...o });

async function failure(p: Promise<unknown>): Promise<GrafanaError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GrafanaError);
  return e as GrafanaError;
}

describe('push', () => {
  it('creates the folder, the data source with the API key, and the six dashboards as generated', async () => {
    const r = await push();
    expect(r.grafanaVersion).toBe('12.2.1');
    expect(r.folder).toEqual({
      uid: 'pcmbn',
      title: 'Phòng, chống mua bán người (Anti-trafficking)',
      outcome: 'created',
    });
    expect(r.datasource).toEqual({ uid: 'pcmbn-api', outcome: 'created', authenticated: true });
    expect(r.dashboards.map((d) => d.outcome)).toEqual(Array(6).fill('created'));

    const ds = grafana.datasources.get('pcmbn-api')!;
    expect(ds).toMatchObject({
      name: 'PCMBN API',
      type: 'yesoreyeram-infinity-datasource',
      access: 'proxy',
      url: 'http://127.0.0.1:4000',
      secrets: { bearerToken: API_KEY },
    });
    expect(ds.jsonData).toEqual({
      auth_method: 'bearerToken',
      allowedHosts: ['http://127.0.0.1:4000'],
      timeoutInSeconds: 30,
      pcmbnKeyFingerprint: keyFingerprint(API_KEY),
    });
    expect(JSON.stringify(ds.jsonData)).not.toContain(API_KEY);

    for (const d of grafanaDashboards()) {
      const stored = grafana.dashboards.get(d.uid!)!;
      expect(stored.folderUid).toBe('pcmbn');
      const { id: _i, version: _v, ...saved } = stored.dashboard;
      expect(canonicalJson(saved)).toBe(canonicalJson(JSON.parse(JSON.stringify(d))));
    }
  });

  it('is idempotent: a second push only reads, and reports everything unchanged', async () => {
    await push();
    const before = grafana.requests.length;
    const r = await push();
    expect(r.folder.outcome).toBe('unchanged');
    expect(r.datasource.outcome).toBe('unchanged');
    expect(r.dashboards.map((d) => d.outcome)).toEqual(Array(6).fill('unchanged'));
    expect(grafana.requests.slice(before).every((q) => q.startsWith('GET '))).toBe(true);
    expect([...grafana.dashboards.values()].every((d) => d.version === 1)).toBe(true);
    // Without a key, the stored key stays.
    const again = await push({ apiKey: undefined });
    expect(again.datasource).toEqual({ uid: 'pcmbn-api', outcome: 'unchanged', authenticated: true });
    expect(grafana.datasources.get('pcmbn-api')!.secrets.bearerToken).toBe(API_KEY);
  });

  it('replaces a dashboard edited in Grafana (and only that one), a new key, another API URL and another folder title', async () => {
    await push();
    grafana.editDashboard('pcmbn-victims', { title: 'Edited by hand', panels: [] });
    const r = await push({ apiKey: `${API_KEY}X`, apiUrl: 'https://api.pcmbn.example', folder: 'PCMBN' });
    expect(r.dashboards.filter((d) => d.outcome !== 'unchanged')).toEqual([
      expect.objectContaining({ uid: 'pcmbn-victims', outcome: 'updated' }),
    ]);
    const victims = grafana.dashboards.get('pcmbn-victims')!;
    expect(victims.version).toBe(3);
    expect(victims.dashboard.title).toBe('Nạn nhân (Victims)');
    expect(r.datasource.outcome).toBe('updated');
    expect(grafana.datasources.get('pcmbn-api')).toMatchObject({
      url: 'https://api.pcmbn.example',
      secrets: { bearerToken: `${API_KEY}X` },
    });
    expect(r.folder).toEqual({ uid: 'pcmbn', title: 'PCMBN', outcome: 'updated' });
  });

  it('warns when Grafana is older than the version the dashboards are written for', async () => {
    await grafana.close();
    grafana = await startFakeGrafana('11.6.0');
    const lines: string[] = [];
    await push({ log: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/^warning: Grafana 11\.6\.0 is older than 12\.2\.0.*schemaVersion 42/);
  });
});

describe('clear errors', () => {
  it('401: a wrong token', async () => {
    const e = await failure(push({ token: 'glsa_wrong' }));
    expect(e.kind).toBe('unauthorized');
    expect(e.status).toBe(401);
    expect(e.message).toMatch(
      /refused the token \(401 Unauthorized; Grafana said: "Invalid API key"\): pass a valid service account token .* --token or GRAFANA_TOKEN/,
    );
  });

  it('403: a token without the permission says what it could not do', async () => {
    const e = await failure(push({ token: TOKENS.viewer }));
    expect(e.kind).toBe('forbidden');
    expect(e.message).toMatch(
      /^the service account may not create the folder "Phòng, chống mua bán người \(Anti-trafficking\)" \(403 Forbidden; Grafana said: ".*folders:create"\): give it the Editor role/,
    );
  });

  it('412 version-mismatch: a dashboard changed in Grafana between the read and the write', async () => {
    await push();
    grafana.editDashboard('pcmbn-cases', { title: 'Edited' });
    grafana.beforeNextSave = () => grafana.editDashboard('pcmbn-cases', { title: 'Edited again' });
    const e = await failure(push());
    expect(e.kind).toBe('precondition');
    expect(e.grafanaStatus).toBe('version-mismatch');
    expect(e.message).toMatch(
      /would not save the dashboard "Điều tra, truy tố, xét xử \(Case resolution\)" \(pcmbn-cases\) \(412 Precondition Failed, version-mismatch\): it was changed by someone else since it was read: run the push again/,
    );
  });

  it('412 name-exists: another dashboard of the same title in the folder', async () => {
    await push();
    const other = grafana.dashboards.get('pcmbn-outreach')!;
    grafana.dashboards.delete('pcmbn-outreach');
    grafana.dashboards.set('someone-elses', {
      ...other,
      uid: 'someone-elses',
      dashboard: { ...other.dashboard, uid: 'someone-elses' },
    });
    const e = await failure(push());
    expect(e.grafanaStatus).toBe('name-exists');
    expect(e.message).toMatch(
      /another dashboard with the same title already exists in that folder: rename or move that one, or choose another folder with --folder/,
    );
  });

  it('a provisioned data source is not overwritten', async () => {
    await push();
    grafana.datasources.get('pcmbn-api')!.readOnly = true;
    const e = await failure(push({ apiUrl: 'http://10.0.0.1:4000' }));
    expect(e.message).toMatch(/provisioned from a file in Grafana \(read-only\)/);
  });

  it(
    'unreachable hosts: nothing listening, a name that does not resolve, a host that never answers, a server that ' +
      'is not Grafana',
    async () => {
      const closed = await new Promise<number>((resolve) => {
        const s: Server = createServer();
        s.listen(0, '127.0.0.1', () => {
          const port = (s.address() as { port: number }).port;
          s.close(() => resolve(port));
        });
      });
      let e = await failure(push({ grafanaUrl: `http://127.0.0.1:${closed}` }));
      expect(e.kind).toBe('unreachable');
      expect(e.message).toMatch(
        new RegExp(
          `^cannot reach Grafana at http://127\\.0\\.0\\.1:${closed} to read its health \\(ECONNREFUSED\\): nothing ` +
            `listens there`,
        ),
      );

      e = await failure(push({ grafanaUrl: 'http://grafana.invalid:3000' }));
      expect(e.kind).toBe('unreachable');
      expect(e.message).toMatch(/\((ENOTFOUND|EAI_AGAIN)\): the host name does not resolve: check --grafana/);

      const silent = createServer(() => {}); // accepts connections, never answers
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        e = await failure(
          push({ grafanaUrl: `http://127.0.0.1:${(silent.address() as { port: number }).port}`, timeoutMs: 300 }),
        );
        expect(e.kind).toBe('timeout');
        expect(e.message).toMatch(/did not answer within 0\.3 s while trying to read its health/);
      } finally {
        silent.close();
      }

      const html = createHttpServer((_req, res) =>
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'),
      );
      await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
      try {
        e = await failure(push({ grafanaUrl: `http://127.0.0.1:${(html.address() as { port: number }).port}` }));
        expect(e.kind).toBe('bad-response');
        expect(e.message).toMatch(/without a JSON body: is .* Grafana/);
      } finally {
        html.close();
      }
    },
  );

  it('bad arguments are refused before any request', () => {
    expect(() => new GrafanaClient({ url: 'grafana:3000', token: 'x' })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => new GrafanaClient({ url: 'http://g', token: '' })).toThrow(/token is empty/);
  });
});

describe('pcmbn dashboards push (a real process)', () => {
  const env = (extra: Record<string, string> = {}) =>
    pcmbnEnv(path.join(tempDir(), 'w.duckdb'), { GRAFANA_TOKEN: '', PCMBN_API_KEY: '', ...extra });

  it('pushes with the token and key from the environment, then reports nothing to change', async () => {
    const first = await pcmbn(
      env({ GRAFANA_TOKEN: TOKENS.admin, PCMBN_API_KEY: API_KEY }),
      'dashboards',
      'push',
      '--grafana',
      grafana.url,
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^pushed to Grafana 12\.2\.1: 6 dashboards \(6 created or updated\), folder created, data source created$/m,
    );
    const second = await pcmbn(env(), 'dashboards', 'push', '--grafana', grafana.url, '--token', TOKENS.admin);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/6 dashboards \(0 created or updated\), folder unchanged, data source unchanged$/m);
  });

  it('a refused token exits 1 with the message; a missing token is misuse (exit 2)', async () => {
    const bad = await pcmbn(env(), 'dashboards', 'push', '--grafana', grafana.url, '--token', 'glsa_nope');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^pcmbn: Grafana at http:\/\/127\.0\.0\.1:\d+ refused the token \(401 Unauthorized/);
    expect(bad.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    const none = await pcmbn(env(), 'dashboards', 'push', '--grafana', grafana.url);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no Grafana token: pass --token/);
  });
});

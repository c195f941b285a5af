/**
 * API keys and scope over real HTTP: 401 without a good key (no data), anonymous viewers only when allowed, keys
 * stored hashed, and what a key sees in both hierarchies (FORBIDDEN otherwise, with no data).
 */
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiKey, hashToken, revokeApiKey } from '../../api/auth/keys.ts';
import { registerServeCommands } from '../../api/cli/serve.ts';
import { UsageError } from '../../etl/cli.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { openWarehouse, type Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, freshWarehouse, freshWarehousePath, unitId } from '../helpers.ts';
import { codes, gql, pcmbn, pcmbnEnv } from './client.ts';

let w: Warehouse;
let server: RunningServer;
let anonymous: RunningServer;
const tokens: Record<string, string> = {};
let revokedId: string;

beforeAll(async () => {
  w = await freshWarehouse();
  const key = async (name: string, ref: string, extra: { expires?: string } = {}) => {
    const k = await createApiKey(w, { role: 'viewer', unitId: await unitId(w, ref), label: name, ...extra });
    tokens[name] = k.token;
    return k;
  };
  await key('nation', 'VN');
  await key('newDongNai', '2025-07:75');
  await key('oldWardTrungDung', '2025-03:26041'); // Biên Hòa; merged with five other wards into new Trấn Biên
  await key('oldWardTamPhuoc', '2025-03:26374'); // Biên Hòa; alone became new Tam Phước
  await key('oldBienHoa', '2025-03:731');
  revokedId = (await key('revoked', 'VN')).keyId;
  await revokeApiKey(w, revokedId);
  await key('expired', 'VN', { expires: '2020-01-01' });
  [server, anonymous] = await Promise.all([
    startServer({ warehouse: w, port: 0 }),
    startServer({ warehouse: w, port: 0, anonymous: 'viewer' }),
  ]);
});
afterAll(async () => {
  await server?.close();
  await anonymous?.close();
  await cleanupTemp();
});

const INDICATORS = '{ indicators { code } }';

describe('authentication', () => {
  it(
    'answers 401 UNAUTHENTICATED, with no data, without a key, with a revoked, expired or unknown key and with ' +
      'malformed headers',
    async () => {
      const wellFormedUnknown = `pcmbn_${'A'.repeat(43)}`;
      const cases: [string, string | undefined, RegExp][] = [
        ['no header', undefined, /an API key is required: send "Authorization: Bearer <token>"/],
        ['revoked', `Bearer ${tokens.revoked}`, new RegExp(`API key ${revokedId} was revoked on \\d{4}-\\d{2}-\\d{2}`)],
        ['expired', `Bearer ${tokens.expired}`, /expired after 2020-01-01/],
        ['unknown', `Bearer ${wellFormedUnknown}`, /unknown API key/],
        ['empty', '', /malformed Authorization header/],
        ['basic', 'Basic dXNlcjpwYXNz', /malformed Authorization header/],
        ['bearer alone', 'Bearer', /malformed/],
        ['not a token', 'Bearer abc.def', /malformed/],
        ['two tokens', `Bearer ${tokens.nation} ${tokens.nation}`, /malformed/],
        ['token without scheme', tokens.nation, /malformed/],
      ];
      for (const [name, authorization, message] of cases) {
        const r = await gql(server.url, INDICATORS, { authorization });
        expect(r.status, name).toBe(401);
        expect(r.headers.get('www-authenticate'), name).toBe('Bearer realm="pcmbn"');
        expect(r.body, name).not.toHaveProperty('data');
        expect(codes(r), name).toEqual(['UNAUTHENTICATED']);
        expect(r.body.errors![0].message, name).toMatch(message);
      }
    },
  );

  it('a browser opening /graphql gets the landing page without a key; a GET that runs a query needs one', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const run = await fetch(`${server.url}?query=${encodeURIComponent('{ indicators { code } }')}`, {
      headers: { accept: 'application/json, text/html;q=0.5', 'apollo-require-preflight': '1' },
    });
    expect(run.status).toBe(401);
    expect(await run.json()).not.toHaveProperty('data');
  });

  it('lets a valid key in, "bearer" in any case', async () => {
    const r = await gql(server.url, INDICATORS, { authorization: `bearer ${tokens.nation}` });
    expect(r.status).toBe(200);
    expect(r.body.data.indicators.length).toBeGreaterThan(30);
  });

  it('PCMBN_ANONYMOUS=viewer: no header is a viewer of the whole country; a bad header is still 401', async () => {
    const ok = await gql(anonymous.url, '{ adminUnit(code: "VN") { ref } old: adminUnit(code: "2025-03:01") { ref } }');
    expect(ok.body).toEqual({ data: { adminUnit: { ref: 'VN' }, old: { ref: '2025-03:01' } } });
    const bad = await gql(anonymous.url, INDICATORS, { authorization: `Bearer ${tokens.revoked}` });
    expect(bad.status).toBe(401);
    expect(bad.body).not.toHaveProperty('data');
  });
});

describe('scope', () => {
  it('a key for new Đồng Nai (75) sees old Bình Phước (70) and old Đồng Nai with what lies under them, not old Hà Nội', async () => {
    const r = await gql(
      server.url,
      `{
      mine: adminUnit(code: "75") { ref predecessors { ref } }
      oldBinhPhuoc: adminUnit(code: "2025-03:70") { ref children { ref } }
      oldWard: adminUnit(code: "2025-03:26041") { ref parent { ref parent { ref parent { ref } } } }
      oldHanoi: adminUnit(code: "2025-03:01") { ref }
    }`,
      { token: tokens.newDongNai },
    );
    const d = r.body.data;
    expect(d.mine).toEqual({ ref: '2025-07:75', predecessors: [{ ref: '2025-03:70' }, { ref: '2025-03:75' }] });
    expect(d.oldBinhPhuoc.children.length).toBeGreaterThan(5);
    // The parent chain stops where the scope does: VN is above the key's unit.
    expect(d.oldWard).toEqual({
      ref: '2025-03:26041',
      parent: { ref: '2025-03:731', parent: { ref: '2025-03:75', parent: null } },
    });
    expect(d.oldHanoi).toBeNull();
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors![0]).toMatchObject({ path: ['oldHanoi'], extensions: { code: 'FORBIDDEN' } });
    expect(r.body.errors![0].message).toMatch(
      /^2025-03:01 \(Thành phố Hà Nội\) is outside the scope of API key \w+, which sees 2025-07:75 \(Tỉnh Đồng Nai\) and what lies under it$/,
    );
  });

  it('lists leave out what a key does not see', async () => {
    const r = await gql(
      server.url,
      `{
      provincesToday: adminUnits { ref }
      provincesBefore: adminUnits(asOf: "2024-12-31") { ref }
      nation: adminUnits(level: NATIONAL) { ref }
    }`,
      { token: tokens.newDongNai },
    );
    expect(r.body).toEqual({
      data: {
        provincesToday: [{ ref: '2025-07:75' }],
        provincesBefore: [{ ref: '2025-03:70' }, { ref: '2025-03:75' }],
        nation: [],
      },
    });
  });

  it(
    'a key for an old ward of Biên Hòa is FORBIDDEN its new commune when that commune took in other wards; not ' +
      'when the ward alone became it',
    async () => {
      const merged = await gql(
        server.url,
        '{ mine: adminUnit(code: "2025-03:26041") { ref successors { ref } } tranBien: adminUnit(code: ' +
          '"2025-07:26041") { ref } }',
        { token: tokens.oldWardTrungDung },
      );
      expect(merged.body.data).toEqual({ mine: { ref: '2025-03:26041', successors: [] }, tranBien: null });
      expect(codes(merged)).toEqual(['FORBIDDEN']);
      expect(merged.body.errors![0].message).toMatch(/^2025-07:26041 \(Phường Trấn Biên\) is outside the scope/);

      const alone = await gql(
        server.url,
        '{ mine: adminUnit(code: "2025-03:26374") { successors { ref transfer } } tamPhuoc: adminUnit(code: ' +
          '"2025-07:26374") { ref } }',
        { token: tokens.oldWardTamPhuoc },
      );
      expect(alone.body).toEqual({
        data: {
          mine: { successors: [{ ref: '2025-07:26374', transfer: 'FULL' }] },
          tamPhuoc: { ref: '2025-07:26374' },
        },
      });
    },
  );

  it('a key for old Biên Hòa sees the new communes made only of its wards', async () => {
    const r = await gql(
      server.url,
      '{ tranBien: adminUnit(code: "2025-07:26041") { ref } tanTrieu: adminUnit(code: "2025-07:26188") { ref } ' +
        'newProvince: adminUnit(code: "2025-07:75") { ref } }',
      { token: tokens.oldBienHoa },
    );
    expect(r.body.data).toEqual({ tranBien: { ref: '2025-07:26041' }, tanTrieu: null, newProvince: null });
    expect(codes(r)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  });
});

describe('pcmbn keys', () => {
  it('create prints the token once, alone on the last line; the warehouse keeps only its SHA-256', async () => {
    const db = await freshWarehousePath();
    const run = await pcmbn(
      pcmbnEnv(db),
      'keys',
      'create',
      '--role',
      'analyst',
      '--unit',
      '75',
      '--label',
      'Sở LĐTBXH Đồng Nai',
      '--expires',
      '2099-12-31',
    );
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    const token = lines.at(-1)!;
    expect(token).toMatch(/^pcmbn_[A-Za-z0-9_-]{43}$/);
    expect(lines.slice(0, -1).join('\n')).not.toContain(token);
    expect(lines[0]).toMatch(
      /^created API key [0-9a-f]{10}: analyst of 2025-07:75 \(Tỉnh Đồng Nai\), "Sở LĐTBXH Đồng Nai", works until 2099-12-31$/,
    );
    const kw = await openWarehouse(db);
    try {
      const rows = await kw.sql<Record<string, unknown>>('SELECT * FROM api_keys');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        token_hash: hashToken(token),
        role: 'analyst',
        unit_id: await unitId(kw, '2025-07:75'),
        label: 'Sở LĐTBXH Đồng Nai',
        revoked_at: null,
      });
      expect(JSON.stringify(rows)).not.toContain(token.slice(6));
    } finally {
      await kw.close();
    }
  });

  it('list shows keys without tokens; revoke revokes; misuse is a UsageError (exit 2)', async () => {
    const db = await freshWarehousePath();
    const saved = process.env.PCMBN_DB;
    process.env.PCMBN_DB = db;
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const table = vi.spyOn(console, 'table').mockImplementation((rows: unknown) => void out.push(JSON.stringify(rows)));
    const cli = async (...args: string[]) => {
      const program = new Command('pcmbn').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      registerServeCommands(program);
      out.length = 0;
      await program.parseAsync(['node', 'pcmbn', ...args]);
      return out.join('\n');
    };
    try {
      expect(await cli('keys', 'list')).toBe('no API keys; create one with `pcmbn keys create`');
      const created = await cli('keys', 'create', '--role', 'viewer', '--unit', '2025-03:26041');
      const token = created.split('\n').at(-1)!;
      const keyId = /created API key (\w+)/.exec(created)![1];
      const listed = await cli('keys', 'list');
      expect(JSON.parse(listed)).toEqual([
        {
          key: keyId,
          role: 'viewer',
          unit: '2025-03:26041 Trung Dũng',
          label: '',
          created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
          expires: '',
          status: 'active',
        },
      ]);
      expect(listed).not.toContain(token);
      expect(await cli('keys', 'revoke', keyId)).toBe(`revoked API key ${keyId}`);
      expect(JSON.parse(await cli('keys', 'list'))[0].status).toMatch(/^revoked \d{4}-\d{2}-\d{2}$/);
      expect(await cli('keys', 'revoke', keyId)).toMatch(/was already revoked on/);
      await expect(cli('keys', 'revoke', 'nosuchkey')).rejects.toThrow(
        'no API key nosuchkey; `pcmbn keys list` shows them',
      );
      await expect(cli('keys', 'revoke', 'nosuchkey')).rejects.toBeInstanceOf(UsageError);
      await expect(cli('keys', 'create', '--role', 'viewer', '--unit', '2025-07:731')).rejects.toThrow(
        /--unit 2025-07:731: no such unit/,
      );
      await expect(cli('keys', 'create', '--role', 'viewer', '--unit', '7')).rejects.toThrow(
        /--unit: "7" is not a unit/,
      );
      await expect(
        cli('keys', 'create', '--role', 'viewer', '--unit', 'VN', '--expires', '2020-01-01'),
      ).rejects.toThrow('--expires 2020-01-01 is in the past');
      await expect(
        cli('keys', 'create', '--role', 'viewer', '--unit', 'VN', '--expires', '2099-02-30'),
      ).rejects.toThrow('is not a date');
      await expect(cli('keys', 'create', '--role', 'boss', '--unit', 'VN')).rejects.toThrow(
        /Allowed choices are viewer, leader, analyst, admin/,
      );
    } finally {
      log.mockRestore();
      table.mockRestore();
      if (saved === undefined) delete process.env.PCMBN_DB;
      else process.env.PCMBN_DB = saved;
    }
  });
});

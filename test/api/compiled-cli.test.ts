/**
 * The installed `pcmbn` is compiled JavaScript (`npm run build`, run by `npm ci`): built here into a folder of its
 * own, it answers `--version` and `--help`, and its commands find the data kept beside their sources (the reference
 * lists, the extraction rules, the provisioning files), which a bundle could otherwise lose.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, type Run, runCommand } from './client.ts';
import { cleanupTemp, freshWarehousePath, tempDir, writeFile } from '../helpers.ts';

// Inside the project, so that the bundle resolves its packages from node_modules as dist/ does.
const outdir = path.join(projectRoot, '.tmp', `dist-${process.pid}`);

const run = (script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> =>
  runCommand(process.execPath, [script, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });

const pcmbn = (args: string[], env?: NodeJS.ProcessEnv) => run(path.join(outdir, 'pcmbn.js'), args, env);

beforeAll(async () => {
  const r = await run(path.join(projectRoot, 'scripts/build.mjs'), ['--outdir', outdir]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  fs.rmSync(outdir, { recursive: true, force: true });
  await cleanupTemp();
});

describe('the compiled pcmbn', () => {
  it('--version prints the package version; --help lists the commands', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8'));
    const [v, help] = await Promise.all([pcmbn(['--version']), pcmbn(['--help'])]);
    expect([v.code, v.stdout.trim()]).toEqual([0, version]);
    expect(help.code).toBe(0);
    for (const command of ['etl', 'sample', 'start', 'serve', 'keys', 'dashboards', 'docs', 'backup', 'restore'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('misuse still exits 2 with the reason', async () => {
    const r = await pcmbn(['sample', '--out', tempDir(), '--scale', 'huge']);
    expect([r.code, r.stderr]).toEqual([2, 'pcmbn: --scale "huge": expected demo or national\n']);
  });

  it('finds the data beside the sources: reference lists, extraction rules, provisioning files', async () => {
    const db = await freshWarehousePath();
    const out = tempDir();
    const [sample, extract, keys, dashboards] = await Promise.all([
      pcmbn(['sample', '--out', path.join(out, 'sample'), '--until', '201902']),
      pcmbn([
        'etl',
        'extract',
        'test/fixtures/extract/dev/a-huyen-quy1-2024.txt',
        '--unit',
        '213',
        '--period',
        '2024Q1',
      ]),
      pcmbn(['keys', 'list'], { PCMBN_DB: db }),
      pcmbn(['dashboards', 'build', '--check']),
    ]);
    expect(sample.code, sample.stderr).toBe(0);
    expect(sample.stdout).toMatch(/^\d+ files, \d+ rows/);
    expect(extract.code, extract.stderr).toBe(0);
    expect(extract.stdout).toMatch(
      /^unit_code,period,indicator,value,sex,age_group,submitted_on,source_note\n213,2024Q1,/,
    );
    expect(keys.code, keys.stderr).toBe(0);
    expect(keys.stdout).toMatch(/no API keys/);
    expect(dashboards.code, dashboards.stderr).toBe(0);
  });

  it('reads JSON and XLSX reports in its parse worker, a file of the bundle of its own', async () => {
    const dir = tempDir();
    const json = writeFile(
      dir,
      'a.json',
      JSON.stringify([{ unit_code: '2025-03:26734', period: '2024', indicator: 'cases_initiated', value: 3 }]),
    );
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('r');
    sheet.addRow(['unit_code', 'period', 'indicator', 'value']);
    sheet.addRow(['2025-03:26734', '2024', 'cases_solved', 2]);
    const xlsx = writeFile(dir, 'b.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    const bad = writeFile(dir, 'c.json', '[{"unit_code": "VN" "period": "2024"}]');
    const r = await pcmbn(['etl', 'load', json, xlsx, bad], { PCMBN_DB: await freshWarehousePath() });
    expect(r.code, r.stderr).toBe(1); // c.json is rejected, the others load
    expect(r.stdout + r.stderr).toMatch(/c\.json:1:21: error: invalid JSON: CommaExpected/);
    expect(r.stdout).toMatch(/2 loaded/);
  });
});

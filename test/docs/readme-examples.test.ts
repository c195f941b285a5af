/**
 * The README's example commands for reports in prose, run as written on a clone: the files they name ship with the
 * project, and each command succeeds and writes what its comment says.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot, type Run, runCommand } from '../api/client.ts';
import { cleanupTemp, tempDir } from '../helpers.ts';

afterAll(cleanupTemp);

/** The `pcmbn …` lines of the shell block in a README section, comments dropped. */
function exampleCommands(section: string): string[][] {
  const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${section}\n`);
  expect(start, `README section "${section}"`).toBeGreaterThan(-1);
  const block = readme.slice(start).match(/```sh\n([\s\S]*?)```/)![1];
  return block
    .split('\n')
    .filter((line) => line.startsWith('pcmbn '))
    .map((line) =>
      line
        .replace(/\s#.*$/, '')
        .trim()
        .split(/\s+/)
        .slice(1),
    );
}

/** `pcmbn` in `cwd`, where the README's relative outputs land; the files it names are the project's. */
function pcmbnIn(cwd: string, db: string, args: string[]): Promise<Run> {
  const resolved = args.map((a) =>
    a.includes('/') && fs.existsSync(path.join(projectRoot, a)) ? path.join(projectRoot, a) : a,
  );
  return runCommand(process.execPath, [path.join(projectRoot, 'api/cli/pcmbn.js'), ...resolved], {
    cwd,
    env: { ...process.env, PCMBN_DB: db, NO_COLOR: '1' },
  });
}

describe('README: reports written in prose', () => {
  it('extract, load and extract-plan run as written, on files the project ships', async () => {
    const commands = exampleCommands('Reports written in prose');
    expect(commands.map((c) => c.slice(0, 2).join(' '))).toEqual(['etl extract', 'etl load', 'etl extract-plan']);
    const cwd = tempDir('pcmbn-readme-');
    const db = path.join(cwd, 'warehouse.duckdb');
    for (const args of commands) {
      const r = await pcmbnIn(cwd, db, args);
      expect(r.code, `pcmbn ${args.join(' ')}\n${r.stderr}`).toBe(0);
    }
    const proposal = fs.readFileSync(path.join(cwd, 'a.csv'), 'utf8').split('\n');
    expect(proposal[0]).toBe('unit_code,period,indicator,value,sex,age_group,submitted_on,source_note');
    expect(proposal.length).toBeGreaterThan(2);
    expect(fs.readdirSync(path.join(cwd, 'plan')).sort()).toEqual(['schedule.json', 'targets.json']);
    expect(JSON.parse(fs.readFileSync(path.join(cwd, 'plan', 'targets.json'), 'utf8')).targets).not.toEqual([]);
  });
});

/**
 * The systemd unit that keeps the server running (deploy/pcmbn.service): systemd itself accepts it, it restarts
 * the server whatever way it died, and the command it starts is one the CLI knows.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { needs, SYSTEMD } from '../requirements.ts';
import { projectRoot } from './client.ts';

const unitFile = path.join(projectRoot, 'deploy/pcmbn.service');

/** The unit's `Key=value` lines, by section. */
function settings(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const line of fs.readFileSync(unitFile, 'utf8').split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) section = header[1];
    const kv = /^(\w+)=(.*)$/.exec(line);
    if (kv) out.set(`${section}.${kv[1]}`, [...(out.get(`${section}.${kv[1]}`) ?? []), kv[2]]);
  }
  return out;
}

describe('deploy/pcmbn.service', () => {
  describe('checked by systemd', () => {
    needs(SYSTEMD);
    it('is a unit systemd accepts, without a warning', () => {
      const out = execFileSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8', stdio: 'pipe' });
      expect(out).toBe('');
    });
  });

  it('restarts the server whenever it stops, on its own data folder, stopped by SIGTERM', () => {
    const s = settings();
    expect(s.get('Service.Restart')).toEqual(['always']);
    expect(s.get('Service.KillSignal')).toEqual(['SIGTERM']);
    expect(s.get('Service.Environment')).toContain('PCMBN_DB=/var/lib/pcmbn/warehouse.duckdb');
    const [node, cli, ...args] = s.get('Service.ExecStart')![0].split(' ');
    expect([node, cli]).toEqual(['/usr/bin/node', '/opt/pcmbn/dist/pcmbn.js']);
    expect(args).toEqual(['serve', '--inbox', '/var/lib/pcmbn/inbox']);
    const help = execFileSync(process.execPath, ['api/cli/pcmbn.js', 'serve', '--help'], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    expect(help).toContain('--inbox <dir>');
    // The command the unit starts is the compiled one `npm ci` builds.
    expect(fs.existsSync(path.join(projectRoot, 'dist/pcmbn.js'))).toBe(true);
  });
});

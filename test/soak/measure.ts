/** `pcmbn …` run in a process of its own, with its time and peak memory, for the soak tests' bounds. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../api/client.ts';
import { tempDir } from '../helpers.ts';

export interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  peakRssBytes: number;
  how: string;
}

/**
 * Runs `pcmbn …` and measures its peak resident memory: GNU time's maximum RSS when /usr/bin/time exists, otherwise
 * the kernel's high-water mark (VmHWM) read from /proc until the process ends.
 */
export function measuredPcmbn(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Measured> {
  const timeFile = path.join(tempDir('pcmbn-time-'), 'time.txt');
  const gnuTime = fs.existsSync('/usr/bin/time');
  const command = gnuTime ? ['/usr/bin/time', '-f', '%M', '-o', timeFile, process.execPath] : [process.execPath];
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command[0], [...command.slice(1), 'api/cli/pcmbn.js', ...args], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hwm = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const poll = gnuTime
      ? null
      : setInterval(() => {
          try {
            const m = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
            if (m) hwm = Math.max(hwm, Number(m[1]) * 1024);
          } catch {
            // ended between two polls
          }
        }, 100);
    child.on('error', reject);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const peakRssBytes = gnuTime ? Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()) * 1024 : hwm;
      resolve({
        code,
        stdout,
        stderr,
        seconds: (Date.now() - started) / 1000,
        peakRssBytes,
        how: gnuTime ? 'GNU time, maximum RSS' : '/proc VmHWM, polled',
      });
    });
  });
}

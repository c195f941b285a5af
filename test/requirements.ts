/**
 * What a few tests need beyond a clone and `npm ci`: the source documents of `shared/seeds`, which CI puts beside
 * the project (`../shared`), and a Chromium for the page's browser tests. On a plain clone the tests that need one
 * are skipped, each with the reason, and `test/skipped-reporter.ts` lists them at the end of the run. CI sets
 * `PCMBN_REQUIRE_ALL=1`: then nothing is skipped, and a missing seed or browser fails the tests that need it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach } from 'vitest';

export interface Requirement {
  /** Why the tests cannot run here, or null when they can. */
  missing(): string | null;
}

export const SEEDS_DIR = path.resolve(fileURLToPath(new URL('../../shared/seeds/', import.meta.url)));

export const SEEDS: Requirement = {
  missing: () =>
    fs.existsSync(SEEDS_DIR) ? null : `needs the seed documents at ${SEEDS_DIR} (shared/ beside the clone)`,
};

/** Debian's Chromium by default; `PCMBN_CHROMIUM` names another (or a missing one, to try a machine without it). */
export const CHROMIUM_PATH = process.env.PCMBN_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM: Requirement = {
  missing: () => (fs.existsSync(CHROMIUM_PATH) ? null : `needs Chromium at ${CHROMIUM_PATH} (set PCMBN_CHROMIUM)`),
};

const onPath = (cmd: string) =>
  (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, cmd)));

/** systemd's own checker for the unit file that keeps the server running. */
export const SYSTEMD: Requirement = {
  missing: () => (onPath('systemd-analyze') ? null : 'needs systemd-analyze on PATH (Debian: systemd)'),
};

/** LibreOffice and poppler, to render a Word document to a page image and its text (Debian: libreoffice-writer-nogui, poppler-utils). */
export const LIBREOFFICE: Requirement = {
  missing: () => {
    const absent = ['soffice', 'pdftoppm', 'pdftotext'].filter((cmd) => !onPath(cmd));
    return absent.length ? `needs ${absent.join(', ')} on PATH (LibreOffice and poppler-utils)` : null;
  },
};

/** The reason to skip, or null: never one under PCMBN_REQUIRE_ALL=1, where a missing requirement must fail. */
export function unmet(requirement: Requirement): string | null {
  return process.env.PCMBN_REQUIRE_ALL === '1' ? null : requirement.missing();
}

/**
 * Skips every test of the enclosing file or `describe` when the requirement is unmet, with its reason. Hooks that
 * read the requirement's files (`beforeAll`) must return early on `unmet(requirement)` themselves.
 */
export function needs(requirement: Requirement): void {
  beforeEach((context) => {
    const reason = unmet(requirement);
    if (reason) context.skip(reason);
  });
}

#!/usr/bin/env node
/**
 * Compiles the `pcmbn` command ahead of time into `dist/` (run by `npm ci` through the `prepare` script), so that a
 * command starts without compiling TypeScript. One ES module bundle of our code;
 * modules imported lazily (`await import`) become chunks of their own, loaded only by the commands that need them.
 *
 * Our modules find their data beside their source (`new URL('./reference/', import.meta.url)`: the reference lists,
 * the extraction rules, the page's files, the README). In a bundle `import.meta.url` is the bundle's, so each
 * module's own is substituted: its source file's location, relative to the output, which keeps a clone movable.
 * A second entry, `parse-worker.js`, is the worker thread that reads JSON and XLSX reports.
 *
 *   node scripts/build.mjs [--outdir DIR]     (default dist/)
 */
import { chmod, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const { dependencies } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
/**
 * Packages stay in node_modules, but Grafana's SDK: it is hundreds of small modules, and bundled (only the builders
 * the dashboards use) it costs a start a few milliseconds instead of most of a second.
 */
const BUNDLED = new Set(['@grafana/grafana-foundation-sdk']);
const external = Object.keys(dependencies).filter((name) => !BUNDLED.has(name));
const at = process.argv.indexOf('--outdir');
const outdir = path.resolve(at > 0 ? process.argv[at + 1] : path.join(root, 'dist'));

/** Replaces `import.meta.url` in our TypeScript with the URL of the module's source file, relative to the output. */
const sourceLocations = {
  name: 'source-locations',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
      const relative = path.relative(outdir, args.path).split(path.sep).join('/');
      const url = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

// Chunks are named by content hash: a folder built over would keep every old one. Only our own .js files go.
for (const name of await readdir(outdir).catch(() => []))
  if (name.endsWith('.js')) await rm(path.join(outdir, name), { force: true });
await esbuild.build({
  // The worker that parses JSON and XLSX reports (etl/sources/parse.ts starts it) is a file of its own beside the
  // chunks, as a worker thread needs.
  entryPoints: {
    pcmbn: path.join(root, 'api/cli/main.ts'),
    'parse-worker': path.join(root, 'etl/sources/parse-worker.ts'),
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [...external, ...external.map((name) => `${name}/*`)],
  // type-graphql's decorators are the legacy ones (experimentalDecorators), as tsconfig.json sets them.
  tsconfig: path.join(root, 'tsconfig.json'),
  plugins: [sourceLocations],
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
await chmod(path.join(outdir, 'pcmbn.js'), 0o755);

// Two builds of the SDK from one source:
//   sdk/dist/*.js (+ types)  ESM for npm, one file per module so an app's bundler
//                            keeps only what it imports; the IndexedDB queue is
//                            imported dynamically, so it becomes its own lazy chunk
//   rapport.min.js           IIFE for the script tag, minified, without its warnings
//                            (sdk/src/debug.ts is DEBUG = false), with a sourcemap
//                            that the Worker names in a SourceMap header
//   rapport.debug.js         the same IIFE with its warnings, for wiring the tag up
// The IIFE is written to sdk/dist/, to edge-worker/public/sdk/ (the product
// Worker serves it from its static assets) and to demo-shop/public/sdk/ (so the
// demo shop loads exactly what a merchant would). Where it is served, each build
// is also copied into a directory named by its content, /sdk/<build>/, which
// edge-worker/public/_headers lets browsers cache for a year, and integrity.json
// says which build that is and its SRI hash (sdk/dist/ has the manifest only).
//
// The uplift dashboard (edge-worker/dashboard/) is built the same way beside it:
// admin/dashboard.js (IIFE, minified), with the page's index.html and CSS copied
// next to it, into both Workers' static assets, so each serves it at /admin/.
// It is no part of the Worker's bundle: assets are served without running it.
//
// The demo shop's own browser code (demo-shop/bundles/*.ts, one entry per file) is built into
// demo-shop/public/js/ as ES modules: its single-page section imports the SDK's npm build
// (sdk/dist, built first) exactly as a merchant's app would.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const minify = terser({
  ecma: 2020,
  compress: { passes: 3, pure_getters: true, unsafe_arrows: true },
  // Private names start with one "_" and are safe to mangle across the bundle; names other
  // scripts define (IAB's __tcfapi, __gpp) start with two and must keep their spelling.
  mangle: { properties: { regex: /^_[^_]/ } },
  format: { comments: false },
});

// One file per module: a module that no longer exists must not linger in the package.
rmSync('sdk/dist', { recursive: true, force: true });

const { version } = JSON.parse(readFileSync('sdk/package.json', 'utf8'));

/**
 * After the IIFE is written to `file`: its manifest, integrity.json (the SDK's
 * version, the versioned path and the sha384 SRI hash of the exact bytes served),
 * and where it is served, the copy under /sdk/<build>/. <build> is a hash of
 * the script and its map, so what a URL holds can never change and "immutable"
 * is true by construction (the package version is not bumped for every build).
 * Other builds' directories are removed once this one is in place: the output
 * holds one build, and a page loading the SDK meanwhile never finds it missing.
 */
function publish({ versioned }) {
  return {
    name: 'publish',
    writeBundle({ file }) {
      const dir = dirname(file);
      const script = readFileSync(file);
      // What the map says, not where it was written: `sources` are relative to each output.
      const { mappings, names, sourcesContent } = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
      const build = createHash('sha256').update(script).update(JSON.stringify([mappings, names, sourcesContent])).digest('hex').slice(0, 16);
      const integrity = `sha384-${createHash('sha384').update(script).digest('base64')}`;
      const manifest = { version, src: `/sdk/${build}/rapport.min.js`, integrity };
      writeFileSync(join(dir, 'integrity.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      if (!versioned) return;
      mkdirSync(join(dir, build), { recursive: true });
      // Byte for byte: the map's relative `sources` resolve to /sdk/src/… from either directory.
      copyFileSync(file, join(dir, build, 'rapport.min.js'));
      copyFileSync(`${file}.map`, join(dir, build, 'rapport.min.js.map'));
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && entry.name !== build) rmSync(join(dir, entry.name), { recursive: true, force: true });
      }
    },
  };
}

/** The IIFE written into `dir`; `served` where a Worker serves it as /sdk/. */
const scriptTag = (dir, { served }) => ({
  file: `${dir}/rapport.min.js`,
  format: 'iife',
  // The map is written, but not named in the script every shopper downloads: the Worker names it in a
  // SourceMap header (edge-worker/public/_headers), which developer tools read as they read the comment.
  sourcemap: 'hidden',
  inlineDynamicImports: true,
  // The lazily imported module's namespace object needs no freezing: only the SDK's own code sees it.
  freeze: false,
  plugins: [minify, publish({ versioned: served })],
});

/** The debug IIFE written into `dir`: served at /sdk/rapport.debug.js, not versioned (no shopper loads it). */
const debugTag = (dir) => ({ file: `${dir}/rapport.debug.js`, format: 'iife', sourcemap: true, inlineDynamicImports: true, freeze: false, plugins: [minify] });

/** The script tag's production build: `DEBUG` false, so terser drops every warning with its message. */
const quiet = {
  name: 'quiet',
  load: (id) => (id.endsWith('/sdk/src/debug.ts') ? 'export const DEBUG = false;' : null),
};

const scriptTagPlugins = () => [nodeResolve(), typescript({ tsconfig: 'sdk/tsconfig.json', noEmit: false, include: ['sdk/src/**/*.ts'] })];
const SERVED = ['edge-worker/public/sdk', 'demo-shop/public/sdk'];

/** Copies the dashboard's page and stylesheet beside each dashboard.js written. */
const dashboardPage = {
  name: 'dashboard-page',
  writeBundle({ file }) {
    for (const name of ['index.html', 'dashboard.css']) copyFileSync(join('edge-worker/dashboard', name), join(dirname(file), name));
  },
};

// The demo shop serves the SDK with the product's cache and CORS headers too, so what its pages
// (and the browser tests) load behaves as on a merchant's page. A build output, like its sdk/.
copyFileSync('edge-worker/public/_headers', 'demo-shop/public/_headers');
// The licence notices of what the shop serves, beside its pages (its Licences page links them): the
// catalog's, and IAB Tech Lab's TCF libraries bundled into its banner's TCF mode (/js/tcf-cmp.js).
mkdirSync('demo-shop/public/licences', { recursive: true });
copyFileSync('demo-shop/catalog/LICENSE.DummyJSON', 'demo-shop/public/licences/DummyJSON.txt');
copyFileSync('node_modules/@iabtechlabtcf/cmpapi/LICENSE', 'demo-shop/public/licences/iabtechlabtcf.txt');

/** The demo shop's entries: every .ts file in demo-shop/bundles. */
const demoBundles = Object.fromEntries(
  readdirSync('demo-shop/bundles')
    .filter((name) => name.endsWith('.ts'))
    .map((name) => [name.slice(0, -3), join('demo-shop/bundles', name)]),
);

export default [
  {
    input: 'sdk/src/index.ts',
    output: { dir: 'sdk/dist', format: 'es', sourcemap: true, preserveModules: true, preserveModulesRoot: 'sdk/src' },
    plugins: [
      typescript({
        tsconfig: 'sdk/tsconfig.json',
        noEmit: false,
        declaration: true,
        declarationDir: 'sdk/dist/types',
        outDir: 'sdk/dist',
        include: ['sdk/src/**/*.ts'],
      }),
    ],
  },
  {
    input: 'sdk/src/script-tag.ts',
    output: [scriptTag('sdk/dist', { served: false }), ...SERVED.map((dir) => scriptTag(dir, { served: true }))],
    plugins: [quiet, ...scriptTagPlugins()],
  },
  {
    input: 'sdk/src/script-tag.ts',
    output: ['sdk/dist', ...SERVED].map(debugTag),
    plugins: scriptTagPlugins(),
  },
  {
    input: 'edge-worker/dashboard/main.ts',
    output: ['edge-worker/public/admin', 'demo-shop/public/admin'].map((dir) => ({ file: `${dir}/dashboard.js`, format: 'iife', sourcemap: true, plugins: [minify, dashboardPage] })),
    plugins: [typescript({ tsconfig: 'edge-worker/dashboard/tsconfig.json', noEmit: false, include: ['edge-worker/dashboard/*.ts', 'edge-worker/src/contract/report.ts'] })],
  },
  ...(Object.keys(demoBundles).length
    ? [
        {
          input: demoBundles,
          // IAB's libraries import themselves in circles; ours must not.
          onwarn: (warning, warn) => (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('/node_modules/')) ? undefined : warn(warning)),
          output: { dir: 'demo-shop/public/js', format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', sourcemap: true, plugins: [minify] },
          plugins: [nodeResolve({ browser: true }), typescript({ tsconfig: 'demo-shop/bundles/tsconfig.json', noEmit: false, include: ['demo-shop/bundles/**/*.ts', 'demo-shop/src/cart-cookie.ts'] })],
        },
      ]
    : []),
];

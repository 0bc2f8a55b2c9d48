// Two builds of the SDK from one source:
//   sdk/dist/*.js (+ types)  ESM for npm, one file per module so an app's bundler
//                            keeps only what it imports; idb stays external and is
//                            imported dynamically, so it becomes its own lazy chunk
//   rapport.min.js           IIFE for the script tag, minified, with a sourcemap
// The IIFE is written to sdk/dist/, to edge-worker/public/sdk/ (the product
// Worker serves it from its static assets) and to demo-shop/public/sdk/ (so the
// demo shop loads exactly what a merchant would).
import { rmSync } from 'node:fs';
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

const scriptTag = (file) => ({ file, format: 'iife', sourcemap: true, inlineDynamicImports: true, plugins: [minify] });

export default [
  {
    input: 'sdk/src/index.ts',
    // idb stays a dependency of the npm package: the app's bundler dedupes it.
    external: ['idb'],
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
    output: ['sdk/dist', 'edge-worker/public/sdk', 'demo-shop/public/sdk'].map((dir) => scriptTag(`${dir}/rapport.min.js`)),
    plugins: [nodeResolve(), typescript({ tsconfig: 'sdk/tsconfig.json', noEmit: false, include: ['sdk/src/**/*.ts'] })],
  },
];

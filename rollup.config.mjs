// Two builds of the SDK from one source:
//   sdk/dist/index.js (+ types)  ESM for npm; bundlers minify it with the app
//   sdk/dist/rapport.min.js      IIFE for the script tag, minified, with a sourcemap
// The IIFE is also written to demo-shop/public/sdk/ so the demo shop, served by
// the Worker's static assets, loads exactly what a merchant would.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const minify = terser({
  ecma: 2020,
  compress: { passes: 3, pure_getters: true, unsafe_arrows: true },
  // Private names start with "_" and are safe to mangle across the bundle.
  mangle: { properties: { regex: /^_/ } },
  format: { comments: false },
});

export default [
  {
    input: 'sdk/src/index.ts',
    // idb stays a dependency of the npm package: the app's bundler dedupes it.
    external: ['idb'],
    output: { dir: 'sdk/dist', format: 'es', sourcemap: true },
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
    output: [
      { file: 'sdk/dist/rapport.min.js', format: 'iife', sourcemap: true, plugins: [minify] },
      { file: 'demo-shop/public/sdk/rapport.min.js', format: 'iife', sourcemap: true, plugins: [minify] },
    ],
    plugins: [nodeResolve(), typescript({ tsconfig: 'sdk/tsconfig.json', noEmit: false, include: ['sdk/src/**/*.ts'] })],
  },
];

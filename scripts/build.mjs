// Bundles the entries into ESM files under dist/, dependencies included: one file per lazily
// loaded part instead of hundreds of node_modules files to resolve and read makes a cold start
// ~30 % faster (bench/, docs/performance.md). dist/ runs without node_modules.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true }); // chunk names change with their content

await build({
  entryPoints: {
    func: 'src/func.ts', // the function: `node dist/func.js` under the Fn agent
    start: 'src/local/start.ts', // `npm start`: local gateway + Fn agent + B2C emulator
    emulator: 'src/emulator/main.ts', // the B2C Service emulator on its own
    cli: 'src/cli/main.ts', // `sms-incident runs list|show|redrive`: the run journal for SREs
    alarms: 'telemetry/alarms-cli.ts', // `npm run alarms -- print|apply`: the alarms as code
    authorizer: 'src/authorizer/main.ts', // the API Gateway authorizer function (image target `authorizer`)
  },
  outdir: 'dist',
  bundle: true,
  // Shared code goes to chunks, and a dynamic import() stays lazy: dist/func.js listens before it
  // loads the handler, and what the first answer does not need (the OCI SDK, the OTLP exporter)
  // is a chunk of its own, loaded only when configured.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  // ES module builds first (OpenTelemetry ships both): unused exports are then left out.
  mainFields: ['module', 'main'],
  format: 'esm',
  target: 'node20',
  // The OCI SDK, the fdk and others are CommonJS: inside an ES module they need a real require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
  plugins: [fetchFromNode()],
});

/**
 * The OCI SDK loads `isomorphic-fetch` (which sets a global fetch only where there is none: Node 20
 * has one) and `node-fetch` (used only by instance principals' certificate supplier, which this
 * function never uses): node-fetch with whatwg-url and tr46 cost ~25 ms of CPU at every cold start
 * that reads Vault (docs/performance.md). Both become Node's own fetch.
 */
function fetchFromNode() {
  return {
    name: 'fetch-from-node',
    setup(b) {
      b.onResolve({ filter: /^(node-fetch|isomorphic-fetch)$/ }, (args) => ({
        path: args.path,
        namespace: 'node-fetch-shim',
      }));
      b.onLoad({ filter: /.*/, namespace: 'node-fetch-shim' }, () => ({
        loader: 'js',
        contents: [
          'const f = (...args) => globalThis.fetch(...args);',
          'module.exports = Object.assign(f, { default: f, Headers: globalThis.Headers, Request: globalThis.Request, Response: globalThis.Response });',
        ].join('\n'),
      }));
    },
  };
}

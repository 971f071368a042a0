#!/usr/bin/env node
// `npm run demo:web`: serves the wheel visualizer (demo/) and the built package (dist/) on
// 127.0.0.1. PORT picks the port (default 8080; 0 = any free one). No dependencies.
//
//   /            → demo/index.html
//   /demo/...    → demo/
//   /dist/...    → dist/   (the page imports '/dist/index.js', the wasm is inlined in it)

import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const mounts = { '/demo/': join(root, 'demo'), '/dist/': join(root, 'dist') };

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

/** The file a URL path names, or undefined when it is outside the mounts. */
function resolvePath(pathname) {
  if (pathname === '/' || pathname === '/index.html') return join(mounts['/demo/'], 'index.html');
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!pathname.startsWith(prefix)) continue;
    const file = normalize(join(dir, pathname.slice(prefix.length)));
    return file === dir || file.startsWith(dir + sep) ? file : undefined;
  }
  return undefined;
}

function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    res.writeHead(400).end('bad request\n');
    return;
  }
  if (pathname === '/favicon.ico') { res.writeHead(204).end(); return; }
  let file = resolvePath(pathname);
  let st;
  try {
    if (file !== undefined) {
      st = statSync(file);
      if (st.isDirectory()) { file = join(file, 'index.html'); st = statSync(file); }
    }
  } catch {
    st = undefined;
  }
  if (file === undefined || st === undefined || !st.isFile()) {
    const hint = pathname.startsWith('/dist/') ? ' (run `npm run build` first)' : '';
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${pathname}${hint}\n`);
    return;
  }
  res.writeHead(200, {
    'content-type': types[extname(file)] ?? 'application/octet-stream',
    'content-length': st.size,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') { res.end(); return; }
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

/**
 * Starts the server; resolves with its URL and a `close()`. `port: 0` picks a free port.
 * @param {{ port?: number, host?: string }} [opts]
 */
export function startServer({ port = 8080, host = '127.0.0.1' } = {}) {
  return new Promise((resolve, reject) => {
    const server = createServer(handle);
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      const url = `http://${host}:${typeof addr === 'object' && addr ? addr.port : port}/`;
      resolve({
        url,
        server,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`demo/serve.mjs: PORT must be an integer from 0 to 65535, got ${JSON.stringify(process.env.PORT)}`);
    process.exit(2);
  }
  try {
    statSync(join(root, 'dist', 'index.js'));
  } catch {
    console.error('demo/serve.mjs: dist/index.js is missing; run `npm run build` (or `npm run demo:web`) first');
    process.exit(1);
  }
  startServer({ port }).then(({ url }) => {
    console.log(`tickwheel visualizer: ${url}  (Ctrl-C to stop)`);
  }, (err) => {
    console.error(`demo/serve.mjs: cannot listen on 127.0.0.1:${port}: ${err.code ?? err.message}${err.code === 'EADDRINUSE' ? ' (set PORT to another port)' : ''}`);
    process.exit(1);
  });
}

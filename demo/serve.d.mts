// Types for demo/serve.mjs (a plain ES module), for the tests that import it.
import type { Server } from 'node:http';

export interface RunningServer {
  /** http://127.0.0.1:<port>/ */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves demo/ and dist/ on 127.0.0.1; `port: 0` picks a free port. */
export function startServer(opts?: { port?: number; host?: string }): Promise<RunningServer>;

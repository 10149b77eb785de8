import type { Server } from 'node:http';
export declare const securityHeaders: Record<string, string>;
export interface StaticServerOptions {
  /** The headers of the response to a path (default: securityHeaders and the dev caching). */
  headersFor?: (pathname: string) => Record<string, string>;
  /** Paths relative to the served folder answered 404. */
  hidden?: string[];
}
export declare function createStaticServer(dir: string, options?: StaticServerOptions): Server;

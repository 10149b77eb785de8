import type { Server } from 'node:http';
export interface HeaderRule {
  pattern: RegExp;
  headers: Record<string, string>;
}
export declare function parseHeadersFile(text: string): HeaderRule[];
export declare function headersForPath(rules: readonly HeaderRule[], pathname: string): Record<string, string>;
export declare function createHostLikeServer(dir: string): Server;

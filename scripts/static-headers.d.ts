export declare const securityHeaders: Record<string, string>;
export declare const IMMUTABLE: string;
export declare const REVALIDATE: string;
export declare function headersFile(headers?: Record<string, string>): string;
export declare function nginxSnippet(headers?: Record<string, string>): string;

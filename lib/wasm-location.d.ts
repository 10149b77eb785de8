/** Where the package keeps build/wasm/vmsieve.wasm. */
export declare const PACKAGED_WASM: URL;

// The compute kernels (build/wasm/vmsieve.wasm) relative to this file, which sits at the same depth in a clone and in
// the installed package; src/browser.ts reaches it as '#wasm-location', so the compiled build/lib/browser.js does too.
// Bundlers (Vite, webpack, Parcel) see the literal new URL() and emit the wasm as an asset.
export const PACKAGED_WASM = new URL('../build/wasm/vmsieve.wasm', import.meta.url);

export { arenaAlloc } from "./arena";
export { scanZeroPages } from "./zero";
export { zlibCompressPages, zlibInit } from "./deflate/zlib";

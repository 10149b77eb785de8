export { arenaAlloc } from "./arena";
export { scanZeroPages } from "./zero";
export { lzoCompressPages } from "./lzo1x";
export { snappyCompressPages } from "./snappy";
export { zlibCompressPages, zlibInit } from "./deflate/zlib";
export { zstdCompressPages } from "./zstd/compress";
export { classifyPages } from "./classify";
export { findAnchors } from "./anchors";

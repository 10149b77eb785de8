// The JS side allocates its fixed windows once, at start-up, and reuses them;
// the stub runtime never frees, so nothing here is called in a loop.
export function arenaAlloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

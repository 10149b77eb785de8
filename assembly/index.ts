export { arenaAlloc } from "./arena";
export { scanZeroPages } from "./zero";

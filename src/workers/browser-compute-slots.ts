/** Tasks a browser compute worker holds at once: its Blob reads are asynchronous, so the next task's pages arrive while it works on this one's. */
export const BROWSER_COMPUTE_SLOTS = 2;

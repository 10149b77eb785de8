/** The folder of the page's private storage (OPFS) that holds an export where it could neither be saved nor streamed. */
export const PRIVATE_EXPORTS_DIR = 'vmsieve-exports';

/** Deletes what an earlier export left in private storage (its download link is gone with the page that made it). */
export async function forgetPrivateExports(): Promise<void> {
  const root = await navigator.storage?.getDirectory().catch(() => undefined);
  await root?.removeEntry(PRIVATE_EXPORTS_DIR, { recursive: true }).catch(() => undefined);
}

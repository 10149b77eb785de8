import { openVmcore, type SecretScanResult } from '../../src/index.js';

/** The secret scan of the dump at `path` at `level`, on one worker, the dump closed after. */
export async function scanFile(path: string, level = 31): Promise<SecretScanResult> {
  const vmcore = await openVmcore(path);
  try {
    return await vmcore.scanSecrets({ level, threads: 1 });
  } finally {
    await vmcore.close();
  }
}

import { openVmcore, type Dump, type OpenedDump } from '../index.js';

/** Opens VMCOREFILE as a Dump for the duration of `use`, and closes it whatever happens. */
export async function withDump<T>(path: string, use: (dump: Dump) => Promise<T>): Promise<T> {
  const vmcore = await openVmcore(path);
  try {
    return await use(vmcore.dump);
  } finally {
    await vmcore.close();
  }
}

/** Opens VMCOREFILE, its kernel memory view and a wasm instance for the duration of `use`. */
export async function withInput<T>(path: string, use: (input: OpenedDump) => Promise<T>): Promise<T> {
  const vmcore = await openVmcore(path);
  try {
    return await use(await vmcore.input());
  } finally {
    await vmcore.close();
  }
}

import { fstatSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { VmsieveError } from '../errors.js';
import { refuseExisting } from '../io/node-sink.js';

/** An input as a path, or as a descriptor the process holds (standard input for -R). */
export type InputRef = string | number;

/** Which file `ref` is, following symbolic links; undefined when there is none. */
async function fileIdentity(ref: InputRef): Promise<string | undefined> {
  try {
    const s = typeof ref === 'number' ? fstatSync(ref) : await stat(ref);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Refuses, before anything is read or written, the output names that would replace what they must not: a name
 * given twice, a name of the input (its path, or any name that leads to the same file), and without `force` any
 * name already taken (a dangling symbolic link included).
 */
export async function checkOutputNames(outputs: readonly string[], inputs: readonly InputRef[], force: boolean): Promise<void> {
  const inputPaths = new Set(inputs.filter((i): i is string => typeof i === 'string').map((i) => resolve(i)));
  const inputFiles = new Set((await Promise.all(inputs.map(fileIdentity))).filter((id) => id !== undefined));
  const seen = new Set<string>();
  for (const output of outputs) {
    const path = resolve(output);
    if (seen.has(path)) throw new VmsieveError('E_USAGE', `${output} is given twice as an output file`);
    seen.add(path);
    const id = await fileIdentity(output);
    if (inputPaths.has(path) || (id !== undefined && inputFiles.has(id)))
      throw new VmsieveError('E_USAGE', `${output} is the input: vmsieve never writes over the dump it reads (-f does not change that)`, { path: output });
    if (!force) await refuseExisting(output);
  }
}

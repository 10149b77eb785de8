import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PY } from './oracle-outputs.js';
import { repoRoot } from './fixtures.js';

/** Where the guest put a planted value (scripts/vmcore-gen-secrets/plan.py). */
export type PlantLocation = 'keyring' | 'kmsg' | 'page-cache' | 'user';

/** One planted value of a real dump's NAME.secrets.json. */
export interface PlantedValue {
  id: string;
  location: PlantLocation;
  /** The scan's kind for it (src/secrets/patterns.ts). */
  kind: string;
  length: number;
  hex: string;
  text?: string;
}

/** Kernel memory every dump level keeps (the keyring's payloads, the log buffer); the others are what -d 31 drops. */
export const KERNEL_LOCATIONS: readonly PlantLocation[] = ['keyring', 'kmsg'];

export function plantedValues(sidecar: string): PlantedValue[] {
  return (JSON.parse(readFileSync(sidecar, 'utf8')) as { planted: PlantedValue[] }).planted;
}

/** The bytes at each [paddr, paddr + length) of the dump, read with libkdumpfile (test/helpers/read_phys.py), in hex. */
export function readPhysHex(dump: string, spans: readonly { paddr: number; length: number }[]): string[] {
  if (spans.length === 0) return [];
  const r = spawnSync(PY, [join(repoRoot, 'test/helpers/read_phys.py'), dump, ...spans.map((s) => `${s.paddr}:${s.length}`)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`read_phys.py: ${r.stderr}`);
  return r.stdout.split('\n').slice(0, spans.length);
}

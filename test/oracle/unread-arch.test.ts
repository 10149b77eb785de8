/**
 * Real dumps of architectures vmsieve does not read yet (../shared has s390x ones): the tests on
 * real dumps leave them out, each listed here as skipped, and each is refused at once with an error that names its
 * machine and what vmsieve reads, never a crash or a wrong answer.
 */
import { describe, expect, it } from 'vitest';
import { ARCHITECTURE_LIST } from '../../src/kernel/arch/index.js';
import { vmsieve } from '../helpers/cli.js';
import { realFixturesSkipReason, unreadFixtures } from '../helpers/fixtures.js';

const skip = realFixturesSkipReason();
const unread = unreadFixtures();

describe.skipIf(skip || unread.length === 0)(`real dumps of architectures vmsieve does not read yet${skip ? ` (skipped: ${skip})` : ''}`, () => {
  for (const f of unread) it.skip(`${f.name}: left out of the tests on real dumps (ELF machine ${f.machine} is not read yet)`, () => undefined);

  it.each(unread.map((f) => [f.name, f] as const))('%s: --info refuses it with a clear error', (_name, f) => {
    const r = vmsieve(['--info', f.vmcore]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^vmsieve: E_ELF_(MACHINE|ENDIAN): /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    if (r.stderr.includes('E_ELF_MACHINE')) expect(r.stderr).toMatch(new RegExp(`\\(ELF machine ${f.machine}\\); vmsieve reads ${ARCHITECTURE_LIST} dumps only`));
  });
});

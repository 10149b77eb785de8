/**
 * Pattern spans where real memory differs from the synthetic samples (which sit between NUL bytes): a PEM block in a
 * key payload, a file or a process's memory is followed by a newline and more text, and its span must end at its
 * footer all the same (the planted real dump, fixtures/real/secrets-kdump-288m, has such blocks).
 */
import { describe, expect, it } from 'vitest';
import { SECRET_PATTERNS } from '../../src/secrets/patterns.js';

const pem = SECRET_PATTERNS.find((p) => p.kind === 'pem-private-key')!;
const bytes = (s: string) => new TextEncoder().encode(s);

describe('PEM private key span', () => {
  const block = `-----BEGIN RSA PRIVATE KEY-----\n${'QUJD'.repeat(16)}\n${'REVG'.repeat(5)}==\n-----END RSA PRIVATE KEY-----`;
  it.each([
    ['a newline and text', '\nnext line - with dashes. and dots\n'],
    ['a newline only', '\n'],
    ['nothing', ''],
  ])('ends at the footer when %s follows', (_, after) => {
    expect(pem.match(bytes(block + after), 0)).toEqual({ start: 0, end: block.length });
  });

  it('without a footer runs to the end of its body', () => {
    const cut = block.slice(0, block.indexOf('-----END'));
    expect(pem.match(bytes(`${cut}\0rest`), 0)).toEqual({ start: 0, end: cut.length });
  });
});

/**
 * What the secret scan recognises: one row per kind, with the anchors the wasm kernel looks for (two byte conditions
 * each, see assembly/anchors.ts) and the check that turns an anchor into a finding, run on the bytes around it. A
 * "secret" must never leave the machine; "identifying" data (addresses, names) says whose machine it was.
 */
export type SecretCategory = 'secret' | 'identifying';

/** One byte condition of an anchor: the byte `offset` bytes on from the match's start lies in [lo, hi]. */
export type ByteCondition = readonly [offset: number, lo: number, hi: number];

/**
 * Where a pattern's match may start: every condition holds there. The kernel first looks for the three bytes at
 * `key`, `key + 1` and `key + 2` (each must have a condition), so the key should be the rarest three of them.
 */
export interface Anchor {
  key: number;
  conditions: readonly ByteCondition[];
}

/** A match's bytes, [start, end) in the scanned bytes. */
export interface Span {
  start: number;
  end: number;
}

export interface SecretPattern {
  kind: string;
  category: SecretCategory;
  /** What the kind is, for people. */
  label: string;
  anchors: readonly Anchor[];
  /** The match the anchor at `at` belongs to, or undefined when it is none. */
  match(bytes: Uint8Array, at: number): Span | undefined;
}

const ch = (c: string): number => c.charCodeAt(0);
const exact = (offset: number, c: string | number): ByteCondition => {
  const b = typeof c === 'number' ? c : ch(c);
  return [offset, b, b];
};
const range = (offset: number, lo: string, hi: string): ByteCondition => [offset, ch(lo), ch(hi)];
/** Conditions that the bytes from `offset` on are `s`. */
const literal = (offset: number, s: string): ByteCondition[] => Array.from(s, (c, i) => exact(offset + i, c));
const isCondition = (c: ByteCondition | ByteCondition[]): c is ByteCondition => typeof c[0] === 'number';
const anchor = (key: number, ...conditions: (ByteCondition | ByteCondition[])[]): Anchor => ({ key, conditions: conditions.flatMap((c) => (isCondition(c) ? [c] : c)) });

/**
 * One character per byte, natively: the WHATWG decoder behind "latin1" is windows-1252, which keeps ASCII and turns
 * every other byte into one non-ASCII character, so the ASCII patterns match and offsets stay byte offsets.
 */
const bytesAsText = new TextDecoder('latin1');

/** bytes[from, to) as a string of one character per byte (clipped to the bytes). */
function text(bytes: Uint8Array, from: number, to: number): string {
  return bytesAsText.decode(bytes.subarray(Math.max(0, from), Math.min(bytes.length, to)));
}

/** The match of sticky `re` at the start of `s` (a sticky regex starts where its last match ended: reset it). */
function execAtStart(re: RegExp, s: string): RegExpExecArray | null {
  re.lastIndex = 0;
  return re.exec(s);
}

/** The match of sticky `re` at `start`, if there is one, reading at most `max` bytes. */
function stickyAt(bytes: Uint8Array, start: number, re: RegExp, max: number): Span | undefined {
  if (start < 0) return undefined;
  const m = execAtStart(re, text(bytes, start, start + max));
  return m ? { start, end: start + m[0].length } : undefined;
}

const isWordByte = (b: number | undefined): boolean => b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a));

/** A sticky match at `start` that no word character runs into from before. */
function tokenAt(bytes: Uint8Array, start: number, re: RegExp, max = 256): Span | undefined {
  return isWordByte(bytes[start - 1]) ? undefined : stickyAt(bytes, start, re, max);
}

/** Where a run of bytes that `inRun` accepts, ending just before `at`, starts (looking back at most `max` bytes). */
function runStart(bytes: Uint8Array, at: number, inRun: (b: number) => boolean, max: number): number {
  let s = at;
  while (s > 0 && at - s < max && inRun(bytes[s - 1]!)) s--;
  return s;
}

const PEM_HEADER = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----/y;
/** Armour body lines (base64, and the Proc-Type/DEK-Info or PGP armour headers), up to the footer's dashes. */
const ARMOUR_BODY = /(?:(?!-----END )[A-Za-z0-9+/=\r\n:,. -])*/y;

/** A PEM, OpenSSH or PGP armoured private key: header to footer, or to the end of its body when the footer is gone. */
function pemBlock(bytes: Uint8Array, at: number): Span | undefined {
  const head = stickyAt(bytes, at, PEM_HEADER, 64);
  if (!head) return undefined;
  const label = /BEGIN (.*)-----/.exec(text(bytes, head.start, head.end))![1]!;
  const rest = text(bytes, head.end, head.end + 16384);
  const footer = `-----END ${label}-----`;
  const body = execAtStart(ARMOUR_BODY, rest);
  const bodyEnd = body ? body[0].length : 0;
  const end = rest.startsWith(footer, bodyEnd) ? bodyEnd + footer.length : bodyEnd;
  return end >= 16 ? { start: at, end: head.end + end } : undefined;
}

const OPENSSH_MAGIC = 'openssh-key-v1\0';
const MAX_BLOB = 65536;

/** OpenSSH's binary private key: the magic, then length-prefixed fields up to the private section's end. */
function opensshBinary(bytes: Uint8Array, at: number): Span | undefined {
  if (text(bytes, at, at + OPENSSH_MAGIC.length) !== OPENSSH_MAGIC) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = at + OPENSSH_MAGIC.length;
  const field = (): boolean => {
    if (p + 4 > bytes.length) return false;
    const n = dv.getUint32(p);
    if (n > MAX_BLOB || p + 4 + n > bytes.length) return false;
    p += 4 + n;
    return true;
  };
  const magicEnd = p;
  if (!field() || !field() || !field() || p + 4 > bytes.length) return { start: at, end: magicEnd };
  const keys = dv.getUint32(p);
  p += 4;
  if (keys < 1 || keys > 16) return { start: at, end: magicEnd };
  for (let i = 0; i <= keys; i++) if (!field()) return { start: at, end: magicEnd };
  return { start: at, end: p };
}

/** DER length at `p`: [content start, content length], or undefined (indefinite or longer than two bytes). */
function derLength(bytes: Uint8Array, p: number): [number, number] | undefined {
  const b = bytes[p];
  if (b === undefined) return undefined;
  if (b < 0x80) return [p + 1, b];
  if (b === 0x81 && p + 1 < bytes.length) return [p + 2, bytes[p + 1]!];
  if (b === 0x82 && p + 2 < bytes.length) return [p + 3, (bytes[p + 1]! << 8) | bytes[p + 2]!];
  return undefined;
}

/** Algorithm OIDs of PKCS#8 private keys: RSA, EC, DSA, Ed25519, X25519, Ed448, X448. */
const KEY_OIDS = ['2a864886f70d010101', '2a8648ce3d0201', '2a8648ce380401', '2b6570', '2b656e', '2b6571', '2b656f'];
const hex = (bytes: Uint8Array, from: number, n: number): string => Array.from(bytes.subarray(from, from + n), (b) => b.toString(16).padStart(2, '0')).join('');
const startsWith = (bytes: Uint8Array, p: number, seq: readonly number[]): boolean => seq.every((b, i) => bytes[p + i] === b);

/**
 * A DER private key: PKCS#1 RSA (version 0, then a modulus of at least 64 bytes), PKCS#8 (version 0, then a known
 * key algorithm) or SEC1 EC (version 1, then a 32-, 48- or 66-byte private key).
 */
function derPrivateKey(bytes: Uint8Array, at: number): Span | undefined {
  const seq = derLength(bytes, at + 1);
  if (!seq) return undefined;
  const [c, len] = seq;
  if (len < 32 || len > 16384) return undefined;
  const span = { start: at, end: Math.min(bytes.length, c + len) };
  if (startsWith(bytes, c, [0x02, 0x01, 0x00, 0x02])) {
    const mod = derLength(bytes, c + 4);
    return mod && mod[1] >= 64 && bytes[mod[0]] === 0 ? span : undefined;
  }
  if (startsWith(bytes, c, [0x02, 0x01, 0x00, 0x30])) {
    const alg = derLength(bytes, c + 4);
    if (!alg || bytes[alg[0]] !== 0x06) return undefined;
    const oid = derLength(bytes, alg[0] + 1);
    return oid && KEY_OIDS.includes(hex(bytes, oid[0], oid[1])) ? span : undefined;
  }
  if (startsWith(bytes, c, [0x02, 0x01, 0x01, 0x04]) && [32, 48, 66].includes(bytes[c + 4]!)) return span;
  return undefined;
}

const CRYPT = [
  /\$(?:1|5|6)\$(?:rounds=\d{1,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{22,86}(?![./A-Za-z0-9])/y,
  /\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}(?![./A-Za-z0-9])/y,
  /\$(?:y|gy|7)\$[./A-Za-z0-9]+\$[./A-Za-z0-9]{1,86}\$[./A-Za-z0-9]{43}(?![./A-Za-z0-9])/y,
];

const crypt = (bytes: Uint8Array, at: number): Span | undefined => {
  for (const re of CRYPT) {
    const m = stickyAt(bytes, at, re, 200);
    if (m) return m;
  }
  return undefined;
};

/** Values a log or source line puts after "password:" that are not a password (format strings, placeholders). */
const PLACEHOLDER = /^(?:%|\$\{|<|\{|\*+$|\(null\)|null$|none$|required$|yes$|no$|true$|false$)/i;
const ASSIGNMENT = /(?:password|passwd)[ \t]*[=:][ \t]*"?([\x21-\x7e]{4,128})/iy;

function passwordAssignment(bytes: Uint8Array, start: number): Span | undefined {
  if (isWordByte(bytes[start - 1])) return undefined;
  const m = execAtStart(ASSIGNMENT, text(bytes, start, start + 160));
  if (!m) return undefined;
  const value = m[1]!.replace(/["',;]+$/, '');
  if (value.length < 4 || PLACEHOLDER.test(value) || /%[-0-9.]*[sdulxp]/.test(value)) return undefined;
  return { start, end: start + m[0].length - (m[1]!.length - value.length) };
}

const LOCAL_PART = (b: number) => isWordByte(b) || b === 0x2e || b === 0x5f || b === 0x25 || b === 0x2b || b === 0x2d;
const EMAIL = /[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/y;

const isLetter = (b: number | undefined): boolean => b !== undefined && ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a);
const DOMAIN_BYTE = (b: number) => isWordByte(b) || b === 0x2d || b === 0x2e;

/** Where the run of bytes `inRun` accepts that starts at `from` ends (looking at most `max` bytes on). */
function runEnd(bytes: Uint8Array, from: number, inRun: (b: number) => boolean, max: number): number {
  let e = from;
  while (e < bytes.length && e - from < max && inRun(bytes[e]!)) e++;
  return e;
}

function email(bytes: Uint8Array, at: number): Span | undefined {
  // Most anchors are binary data: a domain has a dot and two letters before any text is made.
  const end = runEnd(bytes, at + 2, DOMAIN_BYTE, 256);
  let dotted = false;
  for (let p = at + 2; p + 2 < end && !dotted; p++) dotted = bytes[p] === 0x2e && isLetter(bytes[p + 1]) && isLetter(bytes[p + 2]);
  if (!dotted) return undefined;
  // The anchor is the local part's last byte and the '@'.
  let start = runStart(bytes, at + 1, LOCAL_PART, 64);
  while (start <= at && !isWordByte(bytes[start])) start++;
  return stickyAt(bytes, start, EMAIL, 400);
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`${OCTET}(?:\\.${OCTET}){3}(?![\\d.])`, 'y');
const DIGIT_OR_DOT = (b: number) => (b >= 0x30 && b <= 0x39) || b === 0x2e;

/** An IPv4 address in text, not a loopback, unspecified or broadcast one; every dot of it finds the same start. */
function ipv4(bytes: Uint8Array, at: number): Span | undefined {
  if (!DIGIT_OR_DOT(bytes[at]!) || !DIGIT_OR_DOT(bytes[at + 2] ?? 0)) return undefined;
  const start = runStart(bytes, at + 1, DIGIT_OR_DOT, 16);
  if (start > 0 && (DIGIT_OR_DOT(bytes[start - 1]!) || isWordByte(bytes[start - 1]))) return undefined;
  const m = stickyAt(bytes, start, IPV4, 16);
  if (!m) return undefined;
  const first = text(bytes, m.start, m.end).split('.')[0]!;
  return first === '0' || first === '127' || first === '255' ? undefined : m;
}

/** Top-level domains a host name is recognised by (a dotted word ending otherwise is taken for a file or symbol name). */
const TLDS = 'com|net|org|io|dev|app|cloud|local|lan|internal|corp|home|intranet|edu|gov|mil|int|info|biz|eu|de|uk|fr|nl|se|no|fi|dk|ch|at|be|it|es|pl|cz|ru|cn|jp|kr|in|au|nz|ca|us|br';
const HOST = new RegExp(`(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+(?:${TLDS})(?![A-Za-z0-9_.-])`, 'y');
const HOST_BYTE = (b: number) => isWordByte(b) || b === 0x2d || b === 0x2e;

/** A host name of at least two labels ending in a known top-level domain; every dot of it finds the same start. */
const TLD_SET = new Set(TLDS.split('|'));
const HOST_RUN_BYTE = (b: number) => HOST_BYTE(b) || b === 0x5f;

function hostname(bytes: Uint8Array, at: number): Span | undefined {
  // A match ends where the run of name bytes does, in ".tld": look at that before any text is made.
  const end = runEnd(bytes, at + 2, HOST_RUN_BYTE, 260);
  let dot = end - 1;
  while (dot > at + 1 && bytes[dot] !== 0x2e) dot--;
  if (!TLD_SET.has(text(bytes, dot + 1, end))) return undefined;
  let start = runStart(bytes, at + 1, HOST_BYTE, 253);
  while (start <= at && !isWordByte(bytes[start])) start++;
  if (bytes[start - 1] === 0x40 || bytes[start - 1] === 0x5f || bytes[start - 1] === 0x2f) return undefined;
  return stickyAt(bytes, start, HOST, 260);
}

const BEARER = /Bearer [A-Za-z0-9._~+/-]{20,}=*/y;
const WORD = range(0, '0', 'z');
/** A DER SEQUENCE (short, one- or two-byte length) and then INTEGER 0 or 1, the version every private key starts with. */
const derAnchor = (lengthBytes: number): Anchor =>
  anchor(2 + lengthBytes, exact(0, 0x30), lengthBytes === 0 ? [1, 0x20, 0x7f] : exact(1, 0x80 + lengthBytes), exact(2 + lengthBytes, 0x02), exact(3 + lengthBytes, 0x01), [4 + lengthBytes, 0, 1]);

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { kind: 'pem-private-key', category: 'secret', label: 'PEM, OpenSSH or PGP armoured private key', anchors: [anchor(4, exact(0, '-'), literal(4, '-BEG'))], match: pemBlock },
  { kind: 'openssh-private-key', category: 'secret', label: 'OpenSSH binary private key', anchors: [anchor(6, literal(0, 'op'), literal(6, 'h-key'))], match: opensshBinary },
  { kind: 'der-private-key', category: 'secret', label: 'DER private key (PKCS#1, PKCS#8, SEC1)', anchors: [derAnchor(0), derAnchor(1), derAnchor(2)], match: derPrivateKey },
  {
    kind: 'crypt-hash',
    category: 'secret',
    label: 'password hash in crypt format',
    anchors: [anchor(0, exact(0, '$'), range(1, '1', 'y'), exact(2, '$')), anchor(0, exact(0, '$'), range(1, '1', 'y'), range(2, 'a', 'y'), exact(3, '$'))],
    match: crypt,
  },
  { kind: 'aws-access-key', category: 'secret', label: 'AWS access key id', anchors: [anchor(0, exact(0, 'A'), range(1, 'K', 'S'), literal(2, 'IA'))], match: (b, at) => tokenAt(b, at, /(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/y) },
  {
    kind: 'github-token',
    category: 'secret',
    label: 'GitHub token',
    anchors: [anchor(0, literal(0, 'gh'), range(2, 'o', 'u'), exact(3, '_')), anchor(0, literal(0, 'github_pat'))],
    match: (b, at) => tokenAt(b, at, /(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/y),
  },
  { kind: 'slack-token', category: 'secret', label: 'Slack token', anchors: [anchor(0, literal(0, 'xox'), exact(4, '-'))], match: (b, at) => tokenAt(b, at, /xox[abposr]-[A-Za-z0-9-]{10,200}/y) },
  { kind: 'google-api-key', category: 'secret', label: 'Google API key', anchors: [anchor(0, literal(0, 'AIza'))], match: (b, at) => tokenAt(b, at, /AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/y) },
  { kind: 'jwt', category: 'secret', label: 'JSON web token', anchors: [anchor(0, literal(0, 'eyJ'))], match: (b, at) => tokenAt(b, at, /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/y, 4096) },
  { kind: 'bearer-token', category: 'secret', label: 'HTTP bearer token', anchors: [anchor(0, literal(0, 'Bearer '))], match: (b, at) => tokenAt(b, at, BEARER, 4096) },
  {
    kind: 'password-assignment',
    category: 'secret',
    label: 'password= or passwd: assignment',
    anchors: [anchor(2, range(0, 'P', 'p'), literal(1, 'assw')), anchor(2, literal(0, 'PASSW'))],
    match: passwordAssignment,
  },
  { kind: 'email', category: 'identifying', label: 'e-mail address', anchors: [anchor(0, WORD, exact(1, '@'), range(2, '0', 'z'))], match: email },
  { kind: 'ipv4', category: 'identifying', label: 'IPv4 address', anchors: [anchor(0, range(0, '0', '9'), exact(1, '.'), range(2, '0', '9'))], match: ipv4 },
  { kind: 'hostname', category: 'identifying', label: 'host name', anchors: [anchor(0, WORD, exact(1, '.'), range(2, 'a', 'z'), range(3, 'a', 'z'))], match: hostname },
];

/** A finding's text masked: its first and last characters only (bytes outside printable ASCII as hex). */
export function maskSpan(bytes: Uint8Array, span: Span): string {
  const show = (b: number) => (b >= 0x21 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`);
  return `${show(bytes[span.start]!)}…${show(bytes[span.end - 1]!)}`;
}

/**
 * What the secret scan recognises: one row per kind, with the anchors the wasm kernel looks for (two byte conditions
 * each, see assembly/anchors.ts) and the check that turns an anchor into a finding, run on the bytes around it. A
 * "secret" must never leave the machine; "identifying" data (addresses, names) says whose machine it was.
 */
export type SecretCategory = 'secret' | 'identifying';

/** One byte condition of an anchor: the byte `offset` bytes on from the anchor lies in [lo, hi]. */
export type ByteCondition = readonly [offset: number, lo: number, hi: number];

export interface Anchor {
  first: ByteCondition;
  second: ByteCondition;
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
const anchor = (first: ByteCondition, second: ByteCondition): Anchor => ({ first, second });

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

function passwordAssignment(bytes: Uint8Array, at: number): Span | undefined {
  const start = at - 1;
  if (isWordByte(bytes[start - 1])) return undefined;
  const m = execAtStart(ASSIGNMENT, text(bytes, start, start + 160));
  if (!m) return undefined;
  const value = m[1]!.replace(/["',;]+$/, '');
  if (value.length < 4 || PLACEHOLDER.test(value) || /%[-0-9.]*[sdulxp]/.test(value)) return undefined;
  return { start, end: start + m[0].length - (m[1]!.length - value.length) };
}

const LOCAL_PART = (b: number) => isWordByte(b) || b === 0x2e || b === 0x5f || b === 0x25 || b === 0x2b || b === 0x2d;
const EMAIL = /[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/y;

function email(bytes: Uint8Array, at: number): Span | undefined {
  if (!isWordByte(bytes[at + 2])) return undefined;
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
function hostname(bytes: Uint8Array, at: number): Span | undefined {
  const next = bytes[at + 2] ?? 0;
  if (!isWordByte(next)) return undefined;
  let start = runStart(bytes, at + 1, HOST_BYTE, 253);
  while (start <= at && !isWordByte(bytes[start])) start++;
  if (bytes[start - 1] === 0x40 || bytes[start - 1] === 0x5f || bytes[start - 1] === 0x2f) return undefined;
  return stickyAt(bytes, start, HOST, 260);
}

const BEARER = /Bearer [A-Za-z0-9._~+/-]{20,}=*/y;
const WORD_DOT = anchor([0, ch('0'), ch('z')], exact(1, '.'));

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { kind: 'pem-private-key', category: 'secret', label: 'PEM, OpenSSH or PGP armoured private key', anchors: [anchor(exact(0, '-'), exact(5, 'B'))], match: pemBlock },
  { kind: 'openssh-private-key', category: 'secret', label: 'OpenSSH binary private key', anchors: [anchor(exact(0, 'o'), exact(7, '-'))], match: opensshBinary },
  { kind: 'der-private-key', category: 'secret', label: 'DER private key (PKCS#1, PKCS#8, SEC1)', anchors: [anchor(exact(0, 0x30), [1, 0x81, 0x82]), anchor(exact(0, 0x30), exact(2, 0x02))], match: derPrivateKey },
  { kind: 'crypt-hash', category: 'secret', label: 'password hash in crypt format', anchors: [anchor(exact(0, '$'), exact(2, '$')), anchor(exact(0, '$'), exact(3, '$'))], match: crypt },
  { kind: 'aws-access-key', category: 'secret', label: 'AWS access key id', anchors: [anchor(exact(0, 'A'), exact(2, 'I'))], match: (b, at) => tokenAt(b, at, /(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/y) },
  { kind: 'github-token', category: 'secret', label: 'GitHub token', anchors: [anchor(exact(0, 'g'), exact(1, 'h'))], match: (b, at) => tokenAt(b, at, /(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/y) },
  { kind: 'slack-token', category: 'secret', label: 'Slack token', anchors: [anchor(exact(0, 'x'), exact(2, 'x'))], match: (b, at) => tokenAt(b, at, /xox[abposr]-[A-Za-z0-9-]{10,200}/y) },
  { kind: 'google-api-key', category: 'secret', label: 'Google API key', anchors: [anchor(exact(0, 'A'), exact(2, 'z'))], match: (b, at) => tokenAt(b, at, /AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/y) },
  { kind: 'jwt', category: 'secret', label: 'JSON web token', anchors: [anchor(exact(0, 'e'), exact(2, 'J'))], match: (b, at) => tokenAt(b, at, /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/y, 4096) },
  { kind: 'bearer-token', category: 'secret', label: 'HTTP bearer token', anchors: [anchor(exact(0, 'B'), exact(5, 'r'))], match: (b, at) => (b[at + 6] === 0x20 ? tokenAt(b, at, BEARER, 4096) : undefined) },
  { kind: 'password-assignment', category: 'secret', label: 'password= or passwd: assignment', anchors: [anchor(exact(0, 'a'), exact(3, 'w')), anchor(exact(0, 'A'), exact(3, 'W'))], match: passwordAssignment },
  { kind: 'email', category: 'identifying', label: 'e-mail address', anchors: [anchor([0, ch('0'), ch('z')], exact(1, '@'))], match: email },
  { kind: 'ipv4', category: 'identifying', label: 'IPv4 address', anchors: [WORD_DOT], match: ipv4 },
  { kind: 'hostname', category: 'identifying', label: 'host name', anchors: [WORD_DOT], match: hostname },
];

/** The kernel's rule table (8 bytes a rule, shared anchors once) and, per rule, the patterns it serves. */
export interface AnchorTable {
  rules: Uint8Array;
  patternsOf: number[][];
}

export function anchorTable(patterns: readonly SecretPattern[] = SECRET_PATTERNS): AnchorTable {
  const keys: string[] = [];
  const patternsOf: number[][] = [];
  patterns.forEach((p, i) =>
    p.anchors.forEach((a) => {
      const key = [...a.first, ...a.second].join(',');
      let r = keys.indexOf(key);
      if (r < 0) {
        r = keys.push(key) - 1;
        patternsOf.push([]);
      }
      patternsOf[r]!.push(i);
    }),
  );
  const rules = new Uint8Array(keys.length * 8);
  keys.forEach((k, r) => rules.set(k.split(',').map(Number), r * 8));
  return { rules, patternsOf };
}

/** A finding's text masked: its first and last characters only (bytes outside printable ASCII as hex). */
export function maskSpan(bytes: Uint8Array, span: Span): string {
  const show = (b: number) => (b >= 0x21 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`);
  return `${show(bytes[span.start]!)}…${show(bytes[span.end - 1]!)}`;
}

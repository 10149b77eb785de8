#!/usr/bin/env python3
"""The secrets a planted real dump's guest holds: one fake value of every kind src/secrets/patterns.ts knows, a
different one in each place it is put (the kernel keyring, the kernel log through /dev/kmsg, the page cache of a
file, the anonymous memory of a live process), so a finding tells which copy it is.

  plan.py json NAME     the sidecar NAME.secrets.json: every value (hex, and text where it is text) and where it went
  plan.py c-header      the table vmcg-secrets.c plants from, each value XOR-ed so that the helper binary (and the
                        initramfs page cache holding it) carries no copy the scan could find

Every value is deterministic (no randomness), in the real format, and says it is fake where the format has room."""
import base64, hashlib, json, struct, sys

# (location, tag): the tag goes into every value planted there
LOCATIONS = [('keyring', 'kr'), ('kmsg', 'km'), ('page-cache', 'pc'), ('user', 'us')]
# 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24: documentation addresses (RFC 5737)
IPV4 = {'keyring': '198.51.100.42', 'kmsg': '192.0.2.41', 'page-cache': '203.0.113.43', 'user': '192.0.2.44'}
ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
CRYPT_CHARS = './' + ALNUM


def stream(seed, n):
    out = b''
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f'{seed}/{i}'.encode()).digest()
        i += 1
    return out[:n]


def chars(seed, n, alphabet=ALNUM):
    return ''.join(alphabet[b % len(alphabet)] for b in stream(seed, n))


def fit(prefix, seed, n, alphabet=ALNUM):
    """prefix, filled up to n characters from the alphabet."""
    assert len(prefix) <= n
    return prefix + chars(seed, n - len(prefix), alphabet)


def pem(label, tag):
    # the body's first bytes decode to a statement that the key is fake
    body = base64.b64encode(f'vmsieve planted fake {label.lower() or "pkcs8"} key, {tag}: '.encode() + stream(f'pem-{tag}', 150)).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    head = f'{label} PRIVATE KEY' if label else 'PRIVATE KEY'
    return '\n'.join([f'-----BEGIN {head}-----', *lines, f'-----END {head}-----']).encode()


def ssh_string(b):
    return struct.pack('>I', len(b)) + b


def openssh_binary(tag):
    pub = stream(f'ssh-pub-{tag}', 32)
    public = ssh_string(b'ssh-ed25519') + ssh_string(pub)
    check = stream(f'ssh-check-{tag}', 4)
    private = check + check + ssh_string(b'ssh-ed25519') + ssh_string(pub) + ssh_string(stream(f'ssh-priv-{tag}', 32) + pub)
    private += ssh_string(f'vmsieve-planted-fake-{tag}'.encode())
    private += bytes(range(1, 1 + (-len(private)) % 8))
    return b'openssh-key-v1\0' + ssh_string(b'none') + ssh_string(b'none') + ssh_string(b'') + struct.pack('>I', 1) + ssh_string(public) + ssh_string(private)


def sec1_ec(tag):
    """SEC1 EC private key (P-256): SEQUENCE { 1, OCTET STRING d, [0] prime256v1, [1] public point }."""
    d = stream(f'ec-d-{tag}', 32)
    point = b'\x04' + stream(f'ec-q-{tag}', 64)
    inner = b'\x02\x01\x01' + b'\x04\x20' + d + b'\xa0\x0a\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07' + b'\xa1\x44\x03\x42\x00' + point
    return b'\x30' + bytes([len(inner)]) + inner


def b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip('=')


def values(loc, tag):
    """(id, kind, bytes) planted at loc."""
    T = tag.upper()
    word = {'keyring': 'Keyring', 'kmsg': 'Kmsg', 'page-cache': 'Pagecache', 'user': 'Usermem'}[loc]
    text = [
        ('crypt-hash', f'$6${fit(f"vms{tag}", f"salt-{tag}", 16, CRYPT_CHARS)}${fit(f"VmsievePlantedFake{word}", f"crypt-{tag}", 86, CRYPT_CHARS)}'),
        ('aws-access-key', fit(f'AKIAVMSIEVE{T}', f'aws-{tag}', 20, ALNUM[:26] + ALNUM[52:])),
        ('github-token', 'ghp_' + fit(f'VmsievePlantedFake{word}', f'ghp-{tag}', 36)),
        ('slack-token', f'xoxb-vmsieve-planted-fake-{tag}-{chars(f"slack-{tag}", 24)}'),
        ('google-api-key', 'AIza' + fit(f'VmsievePlantedFake{word}_', f'gapi-{tag}', 35)),
        ('jwt', f'{b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())}.{b64url(json.dumps({"sub": f"vmsieve-planted-fake-{tag}"}).encode())}.{chars(f"jwt-{tag}", 43)}'),
        ('bearer-token', f'Bearer vmsieve.planted.fake.{tag}.{chars(f"bearer-{tag}", 32)}'),
        ('password-assignment', f'password=Vmsieve-Planted-{word}-Secret-{chars(f"pw-{tag}", 6)}'),
        ('email', f'alice-{tag}@vmsieve-planted.example.com'),
        ('ipv4', IPV4[loc]),
        ('hostname', f'{tag}-host.vmsieve-planted.example.net'),
    ]
    out = [(kind, kind, v.encode()) for kind, v in text]
    if loc == 'kmsg':  # one line each: no key blocks in the log
        return out
    keys = {
        'keyring': [('pem-private-key', pem('RSA', tag))],
        'page-cache': [('pem-private-key', pem('', tag)), ('openssh-armoured', pem('OPENSSH', tag))],
        'user': [('pem-private-key', pem('EC', tag))],
    }[loc]
    out += [(i, 'pem-private-key', v) for i, v in keys]
    out += [('openssh-private-key', 'openssh-private-key', openssh_binary(tag)), ('der-private-key', 'der-private-key', sec1_ec(tag))]
    return out


def plan():
    entries = []
    for loc, tag in LOCATIONS:
        for n, (ident, kind, value) in enumerate(values(loc, tag)):
            e = {'id': f'{loc}/{ident}', 'location': loc, 'kind': kind, 'length': len(value), 'hex': value.hex()}
            if all(32 <= b < 127 or b == 10 for b in value):
                e['text'] = value.decode()
            if loc == 'keyring':
                e['key'] = {'type': 'user', 'description': f'vmsieve-planted:{ident}', 'keyring': '@u'}
            elif loc == 'kmsg':
                e['record'] = f'vmsieve-planted {kind} <value> end'
            elif loc == 'page-cache':
                e['file'] = f'/mnt/data/vmsieve-planted/{ident}'
            else:
                e['page'] = n
            entries.append(e)
    return entries


# What surrounds a value where it is planted (vmcg-secrets.c writes exactly this): a text value in a key payload, a
# file or a user page follows a comment line and ends with a newline, so that no byte around it runs into a match.
COMMENT = '# vmsieve planted fake {id}\n'
KMSG = '<5>vmsieve-planted {kind} '
KMSG_END = ' end\n'


def c_literal(s):
    return '"' + s.replace('\n', '\\n') + '"'


def c_string(b):
    return '"' + ''.join(f'\\x{x:02x}' for x in b) + '"'


def c_header():
    key = 0xa5
    rows = []
    for e in plan():
        value = bytes.fromhex(e['hex'])
        enc = bytes(x ^ key for x in value)
        rows.append(f'\t{{"{e["location"]}", "{e["id"]}", "{e["kind"]}", {len(value)}, {"1" if "text" in e else "0"}, {c_string(enc)}}},')
    return '\n'.join([
        '/* generated by scripts/vmcore-gen-secrets/plan.py c-header: do not edit */',
        f'#define PLANT_XOR 0x{key:02x}',
        '#define PLANT_COMMENT ' + c_literal(COMMENT.replace('{id}', '%s')),
        '#define PLANT_KMSG ' + c_literal(KMSG.replace('{kind}', '%s')),
        '#define PLANT_KMSG_END ' + c_literal(KMSG_END),
        'static const struct planted { const char *location, *id, *kind; unsigned len; int text; const char *enc; } PLANTED[] = {',
        *rows,
        '};',
    ]) + '\n'


if __name__ == '__main__':
    if sys.argv[1:2] == ['c-header']:
        sys.stdout.write(c_header())
    elif sys.argv[1:2] == ['json'] and len(sys.argv) == 3:
        json.dump({'name': sys.argv[2], 'made_by': 'scripts/vmcore-gen-secrets/make-secrets-vmcore.sh',
                   'surroundings': {'comment_before_text': COMMENT, 'kmsg_record': KMSG + '<value>' + KMSG_END},
                   'planted': plan()}, sys.stdout, indent=2)
        sys.stdout.write('\n')
    else:
        sys.exit(__doc__)

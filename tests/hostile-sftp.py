#!/usr/bin/env python3
"""A hostile SFTP server (protocol version 3) for the security tests: run
by the loopback sshd as its sftp subsystem (tests/sshd.sh sshd_subsystem),
it serves one directory whose listing comes from a JSON file, so names a
real file system cannot hold (over NAME_MAX or PATH_MAX, with '/', NUL or
control characters) and sizes that lie reach the client.

    hostile-sftp.py LISTING.json LOG

LISTING.json: [{"name": HEX, "size": N, "content": HEX | null, "endless": bool,
                "dir": bool}, ...]
  name     the name's bytes, hex (any bytes at all)
  size     the size the listing claims
  content  the bytes served for the file (default: none)
  endless  serve 'x' for every offset, never end of file
  dir      listed as a directory
Every request is appended to LOG, one line each ("OPEN <hex of path>",
"READ <hex> <offset> <len>", ...), so a test can see what the client asked.
"""
import json
import struct
import sys

FX_OK, FX_EOF, FX_NO_SUCH_FILE, FX_FAILURE, FX_OP_UNSUPPORTED = 0, 1, 2, 4, 8
INIT, VERSION, OPEN, CLOSE, READ, LSTAT, FSTAT, OPENDIR, READDIR = 1, 2, 3, 4, 5, 7, 8, 11, 12
REALPATH, STAT = 16, 17
STATUS, HANDLE, DATA, NAME, ATTRS = 101, 102, 103, 104, 105

entries = [dict(e, name=bytes.fromhex(e["name"]),
                content=bytes.fromhex(e.get("content") or "")) for e in json.load(open(sys.argv[1]))]
log = open(sys.argv[2], "a", buffering=1)
inp, out = sys.stdin.buffer, sys.stdout.buffer
handles = {}


def read_exact(n):
    b = b""
    while len(b) < n:
        chunk = inp.read(n - len(b))
        if not chunk:
            sys.exit(0)
        b += chunk
    return b


def send(kind, payload):
    out.write(struct.pack(">IB", len(payload) + 1, kind) + payload)
    out.flush()


def string(b):
    return struct.pack(">I", len(b)) + b


def attrs(e):
    mode = 0o40755 if e.get("dir") else 0o100644
    return struct.pack(">IQII", 1 | 4 | 8, e["size"], mode, 1612500000) + struct.pack(">I", 1612500000)


def status(rid, code, msg=b""):
    send(STATUS, struct.pack(">II", rid, code) + string(msg) + string(b""))


def base(path):
    """The entry a client path names: the listing's names follow 'DIR/'."""
    for e in entries:
        if path.endswith(b"/" + e["name"]):
            return e
    return None


while True:
    length, kind = struct.unpack(">IB", read_exact(5))
    body = read_exact(length - 1)
    if kind == INIT:
        send(VERSION, struct.pack(">I", 3))
        continue
    rid = struct.unpack(">I", body[:4])[0]
    rest = body[4:]
    n = struct.unpack(">I", rest[:4])[0] if len(rest) >= 4 else 0
    arg = rest[4:4 + n]
    if kind == OPENDIR:
        log.write("OPENDIR %s\n" % arg.hex())
        handles[b"d"] = 0
        send(HANDLE, struct.pack(">I", rid) + string(b"d"))
    elif kind == READDIR:
        if handles.get(b"d", 1):
            status(rid, FX_EOF)
        else:
            handles[b"d"] = 1
            payload = struct.pack(">II", rid, len(entries))
            for e in entries:
                payload += string(e["name"]) + string(e["name"]) + attrs(e)
            send(NAME, payload)
    elif kind == OPEN:
        log.write("OPEN %s\n" % arg.hex())
        e = base(arg)
        if e is None or e.get("dir"):
            status(rid, FX_NO_SUCH_FILE)
        else:
            h = b"f%d" % entries.index(e)
            handles[h] = e
            send(HANDLE, struct.pack(">I", rid) + string(h))
    elif kind == READ:
        offset, want = struct.unpack(">QI", rest[4 + n:16 + n])
        e = handles.get(arg)
        log.write("READ %s %d %d\n" % (e["name"].hex() if e else "?", offset, want))
        if e is None:
            status(rid, FX_FAILURE)
        elif e.get("endless"):
            send(DATA, struct.pack(">I", rid) + string(b"x" * min(want, 32768)))
        elif offset >= len(e["content"]):
            status(rid, FX_EOF)
        else:
            send(DATA, struct.pack(">I", rid) + string(e["content"][offset:offset + min(want, 32768)]))
    elif kind in (STAT, LSTAT, FSTAT):
        e = handles.get(arg) if kind == FSTAT else base(arg)
        if e is None or e == 0 or e == 1:
            status(rid, FX_NO_SUCH_FILE)
        else:
            send(ATTRS, struct.pack(">I", rid) + attrs(e))
    elif kind == REALPATH:
        send(NAME, struct.pack(">II", rid, 1) + string(arg) + string(arg) + struct.pack(">I", 0))
    elif kind == CLOSE:
        handles.pop(arg, None)
        if arg == b"d":
            handles[b"d"] = 1
        status(rid, FX_OK)
    else:
        log.write("UNSUPPORTED %d %s\n" % (kind, arg.hex()))
        status(rid, FX_OP_UNSUPPORTED)

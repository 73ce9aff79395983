#!/usr/bin/env python3
"""A hostile SFTP server (protocol version 3) for Skydeck's tests, run by an sshd of the test's own
as its sftp subsystem ("Subsystem sftp /usr/bin/python3 hostile_sftp.py LOG").

It speaks the protocol as draft-ietf-secsh-filexfer-02 (the SFTP version 3 that OpenSSH and
libssh2 use) defines it: packets are uint32 length, byte type, uint32 request id, then the fields
of the type; ATTRS carry a flags word followed by the fields it names; READDIR answers NAME packets
until a STATUS with SSH_FX_EOF.

What it lies about (a server may): the names in a directory listing.
  /hostile        lists "ok.txt", "../../outside.txt" and "sub/evil" (names holding '/'), and a
                  directory "d" whose listing is honest
  /hostile/d      lists "inner.txt"
  /endless        a directory whose listing never ends (1000 new names per READDIR)
  /nul            lists a name holding a NUL byte
Every request is appended to LOG (one line: the request name and its path), so a test can check
that nothing was removed or opened outside what it asked for. Removing answers OK (nothing is
stored), as a server that does what it is told would.
"""
import os
import struct
import sys

SSH_FXP_INIT, SSH_FXP_VERSION = 1, 2
SSH_FXP_OPEN, SSH_FXP_CLOSE, SSH_FXP_READ, SSH_FXP_WRITE = 3, 4, 5, 6
SSH_FXP_LSTAT, SSH_FXP_FSTAT, SSH_FXP_SETSTAT, SSH_FXP_FSETSTAT = 7, 8, 9, 10
SSH_FXP_OPENDIR, SSH_FXP_READDIR, SSH_FXP_REMOVE, SSH_FXP_MKDIR = 11, 12, 13, 14
SSH_FXP_RMDIR, SSH_FXP_REALPATH, SSH_FXP_STAT, SSH_FXP_RENAME = 15, 16, 17, 18
SSH_FXP_STATUS, SSH_FXP_HANDLE, SSH_FXP_DATA, SSH_FXP_NAME, SSH_FXP_ATTRS = 101, 102, 103, 104, 105
SSH_FX_OK, SSH_FX_EOF, SSH_FX_NO_SUCH_FILE, SSH_FX_FAILURE, SSH_FX_OP_UNSUPPORTED = 0, 1, 2, 4, 8
ATTR_SIZE, ATTR_PERMISSIONS, ATTR_ACMODTIME = 0x1, 0x4, 0x8
S_IFDIR, S_IFREG = 0o040000, 0o100000

NAMES = {SSH_FXP_OPEN: "OPEN", SSH_FXP_CLOSE: "CLOSE", SSH_FXP_READ: "READ", SSH_FXP_WRITE: "WRITE",
         SSH_FXP_LSTAT: "LSTAT", SSH_FXP_FSTAT: "FSTAT", SSH_FXP_SETSTAT: "SETSTAT", SSH_FXP_OPENDIR: "OPENDIR",
         SSH_FXP_READDIR: "READDIR", SSH_FXP_REMOVE: "REMOVE", SSH_FXP_MKDIR: "MKDIR", SSH_FXP_RMDIR: "RMDIR",
         SSH_FXP_REALPATH: "REALPATH", SSH_FXP_STAT: "STAT", SSH_FXP_RENAME: "RENAME"}

DIRS = {
    b"/": [(b"hostile", True), (b"endless", True), (b"nul", True)],
    b"/hostile": [(b"ok.txt", False), (b"../../outside.txt", False), (b"sub/evil", False), (b"d", True)],
    b"/hostile/d": [(b"inner.txt", False)],
    b"/nul": [(b"a\0b", False)],
}


class Channel:
    def __init__(self, log_path):
        self.inp = sys.stdin.buffer
        self.out = sys.stdout.buffer
        self.log = open(log_path, "a", buffering=1) if log_path else None
        self.handles = {}
        self.next_handle = 0

    def note(self, what, path=b""):
        if self.log:
            self.log.write("%s %s\n" % (what, path.decode("utf-8", "backslashreplace")))

    def read_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.inp.read(n - len(data))
            if not chunk:
                sys.exit(0)
            data += chunk
        return data

    def send(self, ptype, payload):
        self.out.write(struct.pack(">IB", len(payload) + 1, ptype) + payload)
        self.out.flush()


def string(b):
    return struct.pack(">I", len(b)) + b


def attrs(is_dir, size=6):
    mode = (S_IFDIR | 0o755) if is_dir else (S_IFREG | 0o644)
    return struct.pack(">IQIII", ATTR_SIZE | ATTR_PERMISSIONS | ATTR_ACMODTIME, 0 if is_dir else size, mode,
                       1700000000, 1700000000)


def status(ch, rid, code, message=b""):
    ch.send(SSH_FXP_STATUS, struct.pack(">II", rid, code) + string(message) + string(b""))


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def u32(self):
        v = struct.unpack_from(">I", self.data, self.pos)[0]
        self.pos += 4
        return v

    def str(self):
        n = self.u32()
        v = self.data[self.pos:self.pos + n]
        self.pos += n
        return v


def serve(ch):
    length = struct.unpack(">I", ch.read_exact(4))[0]
    ptype = ch.read_exact(1)[0]
    body = ch.read_exact(length - 1)
    if ptype != SSH_FXP_INIT:
        sys.exit(1)
    ch.send(SSH_FXP_VERSION, struct.pack(">I", 3))
    while True:
        length = struct.unpack(">I", ch.read_exact(4))[0]
        ptype = ch.read_exact(1)[0]
        r = Reader(ch.read_exact(length - 1))
        rid = r.u32()
        name = NAMES.get(ptype, "TYPE%d" % ptype)
        if ptype == SSH_FXP_REALPATH:
            path = r.str()
            ch.note(name, path)
            resolved = os.path.normpath(b"/" + path) if path not in (b"", b".") else b"/"
            ch.send(SSH_FXP_NAME, struct.pack(">II", rid, 1) + string(resolved) + string(resolved) + attrs(True))
        elif ptype in (SSH_FXP_STAT, SSH_FXP_LSTAT):
            path = r.str().rstrip(b"/") or b"/"
            ch.note(name, path)
            if path in DIRS or path == b"/endless":
                ch.send(SSH_FXP_ATTRS, struct.pack(">I", rid) + attrs(True))
            elif os.path.dirname(path) in DIRS:
                ch.send(SSH_FXP_ATTRS, struct.pack(">I", rid) + attrs(False))
            else:
                status(ch, rid, SSH_FX_NO_SUCH_FILE, b"no such file")
        elif ptype == SSH_FXP_OPENDIR:
            path = r.str().rstrip(b"/") or b"/"
            ch.note(name, path)
            if path not in DIRS and path != b"/endless":
                status(ch, rid, SSH_FX_NO_SUCH_FILE, b"no such directory")
                continue
            handle = b"h%d" % ch.next_handle
            ch.next_handle += 1
            ch.handles[handle] = [path, 0]
            ch.send(SSH_FXP_HANDLE, struct.pack(">I", rid) + string(handle))
        elif ptype == SSH_FXP_READDIR:
            handle = r.str()
            path, served = ch.handles.get(handle, [None, 0])
            ch.note(name, path or b"?")
            if path == b"/endless":
                entries = [(b"n%09d" % (served + i), False) for i in range(1000)]
            elif path in DIRS and served == 0:
                entries = DIRS[path]
            else:
                status(ch, rid, SSH_FX_EOF, b"end of directory")
                continue
            ch.handles[handle][1] = served + len(entries)
            payload = struct.pack(">II", rid, len(entries))
            for n, is_dir in entries:
                payload += string(n) + string(n) + attrs(is_dir)
            ch.send(SSH_FXP_NAME, payload)
        elif ptype == SSH_FXP_CLOSE:
            handle = r.str()
            ch.note(name, ch.handles.pop(handle, [b"?"])[0])
            status(ch, rid, SSH_FX_OK)
        elif ptype in (SSH_FXP_REMOVE, SSH_FXP_RMDIR, SSH_FXP_MKDIR):
            path = r.str()
            ch.note(name, path)
            status(ch, rid, SSH_FX_OK)
        elif ptype == SSH_FXP_OPEN:
            path = r.str()
            ch.note(name, path)
            status(ch, rid, SSH_FX_FAILURE, b"nothing is stored here")
        else:
            ch.note(name)
            status(ch, rid, SSH_FX_OP_UNSUPPORTED, b"not supported by this test server")


if __name__ == "__main__":
    serve(Channel(sys.argv[1] if len(sys.argv) > 1 else None))

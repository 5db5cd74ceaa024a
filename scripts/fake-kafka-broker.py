#!/usr/bin/env python3
"""A tiny stand-in for a Kafka broker's SASL front door, for logtop's tests (no JVM, no Docker).

It speaks just enough of the Kafka protocol for a librdkafka client to connect, authenticate and ask
for metadata: ApiVersions (v0-v3), SaslHandshake (v0-v1), SaslAuthenticate (v0-v1, PLAIN checked
against --user NAME:PASSWORD), Metadata (v0-v1: this one broker, its controller, no topics) and
CreateTopics (v0-v4: refused with TOPIC_AUTHORIZATION_FAILED, so a client fails fast and clearly).
Anything else closes the connection. Optionally over TLS (--cert/--key), like a SASL_SSL listener.

It prints "PORT <n>" on stdout once it listens (use --port 0 for a free port), and
"AUTH ok <user>" / "AUTH failed <user>" for each authentication (never the password). It stops by
itself after --lifetime seconds.

Usage: fake-kafka-broker.py --port 0 --user admin:secret [--cert c.pem --key k.pem] [--mechanisms PLAIN]
"""
import argparse
import socket
import ssl
import struct
import sys
import threading
import time

API_METADATA, API_SASL_HANDSHAKE, API_API_VERSIONS, API_CREATE_TOPICS, API_SASL_AUTHENTICATE = 3, 17, 18, 19, 36
SUPPORTED = {API_METADATA: (0, 1), API_SASL_HANDSHAKE: (0, 1), API_API_VERSIONS: (0, 3), API_CREATE_TOPICS: (0, 4),
             API_SASL_AUTHENTICATE: (0, 1)}
TOPIC_AUTHORIZATION_FAILED, UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE, UNSUPPORTED_VERSION = 29, 33, 34, 35
SASL_AUTHENTICATION_FAILED = 58

out_lock = threading.Lock()


def say(line):
    with out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def i16(v): return struct.pack(">h", v)
def i32(v): return struct.pack(">i", v)
def i64(v): return struct.pack(">q", v)


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode()
    return i16(len(b)) + b


def uvarint(n):
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def i16(self): return struct.unpack(">h", self.take(2))[0]
    def i32(self): return struct.unpack(">i", self.take(4))[0]

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode(errors="replace")

    def bytes32(self):
        n = self.i32()
        return b"" if n < 0 else self.take(n)


def api_versions_body(version, error=0):
    keys = sorted(SUPPORTED.items())
    if version >= 3:
        body = i16(error) + uvarint(len(keys) + 1)
        for key, (lo, hi) in keys:
            body += i16(key) + i16(lo) + i16(hi) + uvarint(0)
        return body + i32(0) + uvarint(0)
    body = i16(error) + i32(len(keys))
    for key, (lo, hi) in keys:
        body += i16(key) + i16(lo) + i16(hi)
    if version >= 1:
        body += i32(0)
    return body


def serve(conn, args, port):
    users = dict(u.split(":", 1) for u in args.user)
    mechanisms = args.mechanisms.split(",")
    handshaken = False
    try:
        while True:
            size = struct.unpack(">i", read_exact(conn, 4))[0]
            if size <= 0 or size > 10 << 20:
                return
            r = Reader(read_exact(conn, size))
            api, version, corr = r.i16(), r.i16(), r.i32()
            r.string()  # client id
            if api == API_API_VERSIONS:
                lo, hi = SUPPORTED[api]
                body = api_versions_body(version) if version <= hi else api_versions_body(0, UNSUPPORTED_VERSION)
            elif api == API_SASL_HANDSHAKE:
                mechanism = r.string()
                ok = mechanism in mechanisms
                handshaken = ok
                body = i16(0 if ok else UNSUPPORTED_SASL_MECHANISM) + i32(len(mechanisms)) + b"".join(string(m) for m in mechanisms)
            elif api == API_SASL_AUTHENTICATE:
                token = r.bytes32()
                parts = token.split(b"\0")
                user = parts[1].decode(errors="replace") if len(parts) == 3 else ""
                password = parts[2].decode(errors="replace") if len(parts) == 3 else None
                if not handshaken:
                    body = i16(ILLEGAL_SASL_STATE) + string("SaslAuthenticate before SaslHandshake") + i32(0)
                elif password is not None and users.get(user) == password:
                    say("AUTH ok " + user)
                    body = i16(0) + string(None) + i32(0)
                else:
                    say("AUTH failed " + user)
                    body = i16(SASL_AUTHENTICATION_FAILED) + string("Authentication failed: Invalid username or password") + i32(0)
                if version >= 1:
                    body += i64(0)
                if not body.startswith(i16(0)):
                    conn.sendall(i32(4 + len(body)) + i32(corr) + body)
                    return  # a real broker closes the connection after a failed authentication
            elif api == API_METADATA and version <= 1:
                broker = i32(1) + string(args.advertise) + i32(port) + (string(None) if version >= 1 else b"")
                body = i32(1) + broker + (i32(1) if version >= 1 else b"") + i32(0)
            elif api == API_CREATE_TOPICS and version <= 4:
                names = []
                for _ in range(r.i32()):
                    names.append(r.string())
                    r.i32(), r.i16()
                    for _ in range(r.i32()):  # assignments
                        r.i32()
                        for _ in range(r.i32()):
                            r.i32()
                    for _ in range(r.i32()):  # configs
                        r.string(), r.string()
                say("CREATE refused " + ",".join(names))
                message = string("fake broker: no topics here") if version >= 1 else b""
                body = (i32(0) if version >= 2 else b"") + i32(len(names)) + b"".join(
                    string(n) + i16(TOPIC_AUTHORIZATION_FAILED) + message for n in names)
            else:
                return
            conn.sendall(i32(4 + len(body)) + i32(corr) + body)
    except (EOFError, OSError, ssl.SSLError, struct.error):
        return
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--advertise", default="localhost", help="host name returned in metadata")
    p.add_argument("--user", action="append", default=[], help="NAME:PASSWORD (repeatable)")
    p.add_argument("--mechanisms", default="PLAIN", help="comma-separated enabled SASL mechanisms")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--lifetime", type=float, default=300, help="seconds before exiting by itself")
    args = p.parse_args()

    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    listener.listen(16)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    say("PORT %d" % port)
    deadline = time.monotonic() + args.lifetime
    while time.monotonic() < deadline:
        try:
            raw, _ = listener.accept()
        except socket.timeout:
            continue
        raw.settimeout(30)

        def handle(raw=raw):
            try:
                conn = context.wrap_socket(raw, server_side=True) if context else raw
            except (ssl.SSLError, OSError):
                raw.close()
                return
            serve(conn, args, port)

        threading.Thread(target=handle, daemon=True).start()


if __name__ == "__main__":
    main()

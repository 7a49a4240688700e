"""Dumps the command table as clients see it: COMMAND COUNT, LIST, INFO, DOCS, COMMAND and ACL CAT,
raw RESP bytes in RESP2 and RESP3, from one drayman-server binary. A refactoring of the table's
rows must leave the dump byte for byte the same:

    tools/dump_command_table.py old/drayman-server old.dump
    tools/dump_command_table.py build/server/drayman-server new.dump && cmp old.dump new.dump
"""
import os
import socket
import sys

os.environ["DRAYMAN_SERVER"] = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "python"))
from servers import DraymanProcess  # noqa: E402


def encode(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def call(sock, *args):
    sock.sendall(encode(*args))
    sock.settimeout(0.5)
    data = b""
    try:
        while True:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    return data


server = DraymanProcess()
try:
    with open(sys.argv[2], "wb") as out:
        for protocol in ("2", "3"):
            sock = socket.create_connection(("127.0.0.1", server.port))
            call(sock, "HELLO", protocol)
            for args in (("COMMAND", "COUNT"), ("COMMAND", "LIST"), ("COMMAND", "INFO"),
                         ("COMMAND", "DOCS"), ("COMMAND",), ("ACL", "CAT")):
                out.write(b"== RESP%s %s\n" % (protocol.encode(), " ".join(args).encode()))
                out.write(call(sock, *args) + b"\n")
            sock.close()
finally:
    server.stop()

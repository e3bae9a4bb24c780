#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""leaker.py - TCP servers and a client for portstat's leak tests.

  leaker.py server PORT[,PORT...] leak|close NAME
      Listen on 127.0.0.1:PORT (each PORT of a list).  'leak' accepts and never reads nor closes:
      every connection whose peer sends FIN stays in CLOSE_WAIT.  'close'
      reads to EOF and closes, as a well-behaved server does.  The process
      names itself NAME (its comm) and prints "ready PID" once listening.
      Runs until killed.

  leaker.py client
      Reads commands on stdin, one per line, and answers each on stdout:
        open PORT N [BYTES]  connect N times to 127.0.0.1:PORT, send BYTES
                             bytes on each          -> "opened TOTAL"
        fin                  shutdown(SHUT_WR) every connection not yet
                             shut down (the server sees FIN) -> "fin TOTAL"
      Holds every socket until stdin reaches EOF, then exits.
"""
import ctypes
import os
import selectors
import socket
import sys


def set_comm(name):
    libc = ctypes.CDLL(None, use_errno=True)
    # os.fsencode: argv's own bytes back, invalid UTF-8 included.
    libc.prctl(15, os.fsencode(name)[:15], 0, 0, 0)  # PR_SET_NAME


def server(port, mode, name):
    set_comm(name)
    sel = selectors.DefaultSelector()
    listeners = []
    for p in str(port).split(","):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", int(p)))
        ls.listen(4096)
        sel.register(ls, selectors.EVENT_READ)
        listeners.append(ls)
    print("ready %d" % os.getpid(), flush=True)
    held = []
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s in listeners:
                conn, _ = s.accept()
                if mode == "leak":
                    held.append(conn)        # never read, never closed
                else:
                    sel.register(conn, selectors.EVENT_READ)
            elif not s.recv(65536):
                sel.unregister(s)
                s.close()


def client():
    socks, finned = [], 0
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "open":
            port, n = int(words[1]), int(words[2])
            data = b"x" * (int(words[3]) if len(words) > 3 else 0)
            for _ in range(n):
                s = socket.create_connection(("127.0.0.1", port))
                if data:
                    s.sendall(data)
                socks.append(s)
            print("opened %d" % len(socks), flush=True)
        elif words[0] == "fin":
            for s in socks[finned:]:
                s.shutdown(socket.SHUT_WR)
            finned = len(socks)
            print("fin %d" % finned, flush=True)
        else:
            print("error unknown command %r" % words[0], flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "server":
        server(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 2 and sys.argv[1] == "client":
        client()
    else:
        sys.exit(__doc__)

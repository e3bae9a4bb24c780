#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""drainer.py - a server that closed its listener, for portstat's tests.

  drainer.py PORT LEAKED CLOSED [NAME]
      For IPv4 (127.0.0.1) and IPv6 ([::1], IPV6_V6ONLY) in turn: listen on
      PORT, connect LEAKED + CLOSED clients and accept them, then close the
      listener.  The clients of the LEAKED connections close (the server
      never reads nor closes them: its side stays in CLOSE_WAIT, the
      clients' in FIN_WAIT2); on the CLOSED ones the server closes first
      and the client closes on EOF (the server's side ends in TIME_WAIT).
      Names itself NAME (its comm, default drainsrv), prints "ready PID"
      once every close is done, and holds the server sockets until it is
      killed.  Client ports come from the namespace's ip_local_port_range.

The test, not this script, waits for the kernel to settle (FIN handling
on loopback is asynchronous) by polling ss.
"""
import ctypes
import os
import signal
import socket
import sys


def set_comm(name):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME


def drain(family, addr, port, leaked, closed, held):
    ls = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET6:
        ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    ls.bind((addr, port))
    ls.listen(leaked + closed)
    pairs = []
    for _ in range(leaked + closed):
        c = socket.socket(family, socket.SOCK_STREAM)
        c.settimeout(10)
        c.connect((addr, port))
        s, _ = ls.accept()
        pairs.append((c, s))
    ls.close()                          # the listener is gone
    for c, s in pairs[:leaked]:
        c.close()                       # server side: CLOSE_WAIT
        held.append(s)
    for c, s in pairs[leaked:]:
        s.close()                       # server closes first ...
        if c.recv(1) != b"":            # ... the client sees EOF (bounded
            sys.exit("unexpected data")  # by the timeout) and closes
        c.close()


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    port, leaked, closed = (int(a) for a in sys.argv[1:4])
    set_comm(sys.argv[4] if len(sys.argv) == 5 else "drainsrv")
    held = []
    drain(socket.AF_INET, "127.0.0.1", port, leaked, closed, held)
    drain(socket.AF_INET6, "::1", port, leaked, closed, held)
    print("ready %d" % os.getpid(), flush=True)
    while True:
        signal.pause()                  # holding @held until killed


if __name__ == "__main__":
    main()

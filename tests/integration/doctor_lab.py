#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""doctor_lab.py MODE PORT COUNT: drive one TCP pathology on 127.0.0.1 in
the current network namespace for it_doctor.sh, print "ready" once it is
in place, and hold every socket until stdin closes.

Modes:
  backlog     a listener with backlog 4 that never accepts; COUNT clients
              connect (non-blocking): the accept queue fills and overflows
  clientclose COUNT connections the client closes first (after the server
              saw them): COUNT client TIME_WAIT on ephemeral ports
  serverclose COUNT connections the server closes first: COUNT TIME_WAIT
              on the server's port
  closewait   COUNT connections the client closes and the server never
              does: COUNT CLOSE_WAIT on the server's port
  closewait2  the same on PORT and on PORT+1, in one process: COUNT
              CLOSE_WAIT on each of two ports
  synflood    a listener with backlog 4 on 10.0.0.1 (the test puts it on a
              dummy interface) and COUNT SYNs sent raw from 10.0.0.2, an
              address nobody holds: the SYN-ACKs go nowhere, so the
              listener keeps half-open SYN_RECV connections, then answers
              with cookies
  synreuse    as synflood, to four SO_REUSEPORT listeners of backlog 4 on
              the one address and port: the kernel spreads the half-open
              connections over their four queues
  orphan      COUNT clients fill a server that never reads (small buffers,
              a zero window) and close: COUNT orphaned FIN_WAIT1 sockets
              with unsent data
  hostile     closewait by a process whose name (comm) is invalid UTF-8
              with controls and a '|': b"\\xff\\x1b[31m|x\\n\\x07"
  healthy     one listener and one established connection
"""
import ctypes
import socket
import struct
import sys
import time

DEADLINE = time.monotonic() + 20


def listener(port, backlog=128):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(backlog)
    return s


def wait_eof(conn):
    conn.settimeout(max(0.1, DEADLINE - time.monotonic()))
    while conn.recv(4096):
        pass


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(src, dst, sport, dport, seq):
    """A SYN, IP header included (the kernel fills the IP checksum)."""
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 65535, 0, 0)
    pseudo = s + d + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64,
                     socket.IPPROTO_TCP, 0, s, d)
    return ip + tcp


def main():
    mode, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    keep = []
    if mode == "backlog":
        keep.append(listener(port, 4))
        for _ in range(count):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", port))
            keep.append(c)
    elif mode == "clientclose":
        ls = listener(port)
        for _ in range(count):
            c = socket.create_connection(("127.0.0.1", port), timeout=5)
            a, _ = ls.accept()
            c.close()
            wait_eof(a)
            a.close()
        keep.append(ls)
    elif mode == "serverclose":
        ls = listener(port)
        for _ in range(count):
            c = socket.create_connection(("127.0.0.1", port), timeout=5)
            a, _ = ls.accept()
            a.close()
            wait_eof(c)
            c.close()
        keep.append(ls)
    elif mode == "closewait":
        ls = listener(port)
        keep.append(ls)
        for _ in range(count):
            c = socket.create_connection(("127.0.0.1", port), timeout=5)
            a, _ = ls.accept()
            c.close()
            keep.append(a)
    elif mode == "hostile":
        # PR_SET_NAME: what /proc/PID/comm and the owner lookups see.
        ctypes.CDLL(None, use_errno=True).prctl(15, ctypes.c_char_p(b"\xff\x1b[31m|x\n\x07"), 0, 0, 0)
        ls = listener(port)
        keep.append(ls)
        for _ in range(count):
            c = socket.create_connection(("127.0.0.1", port), timeout=5)
            a, _ = ls.accept()
            c.close()
            keep.append(a)
    elif mode == "closewait2":
        for p in (port, port + 1):
            ls = listener(p)
            keep.append(ls)
            for _ in range(count):
                c = socket.create_connection(("127.0.0.1", p), timeout=5)
                a, _ = ls.accept()
                c.close()
                keep.append(a)
    elif mode == "synflood":
        keep.append(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        keep[0].bind(("10.0.0.1", port))
        keep[0].listen(4)
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        for i in range(count):
            raw.sendto(syn("10.0.0.2", "10.0.0.1", 50000 + i, port, 1000 + i), ("10.0.0.1", 0))
        raw.close()
    elif mode == "synreuse":
        for _ in range(4):
            ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            ls.bind(("10.0.0.1", port))
            ls.listen(4)
            keep.append(ls)
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        for i in range(count):
            raw.sendto(syn("10.0.0.2", "10.0.0.1", 50000 + i, port, 1000 + i), ("10.0.0.1", 0))
        raw.close()
    elif mode == "orphan":
        ls = listener(port)
        keep.append(ls)
        for _ in range(count):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
            c.connect(("127.0.0.1", port))
            a, _ = ls.accept()
            a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            keep.append(a)
            c.setblocking(False)
            # Fill the peer's window and our send buffer, bounded.
            for _ in range(10000):
                try:
                    c.send(b"x" * 4096)
                except BlockingIOError:
                    break
            c.close()
    elif mode == "healthy":
        ls = listener(port)
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        a, _ = ls.accept()
        keep += [ls, c, a]
    else:
        sys.exit("unknown mode " + mode)
    print("ready", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()

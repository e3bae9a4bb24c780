#!/usr/bin/env python3
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
  healthy     one listener and one established connection
"""
import socket
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

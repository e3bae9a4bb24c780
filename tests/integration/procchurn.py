#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""procchurn.py - short-lived processes that own sockets, for it_procrace.

  procchurn.py [CHILDREN [SECONDS]]
      Keeps CHILDREN (default 6, at most 64) children alive, replacing each
      one as it exits, until stdin reaches EOF or SECONDS (default 120, at
      most 600) have passed.  Each child names itself "churnkid", listens on
      127.0.0.1 (an ephemeral port), connects to itself 1-4 times, accepts
      and closes the connecting ends, so it owns 1-4 CLOSE_WAIT sockets;
      then, for up to 200 ms (mostly a few), opens and closes file
      descriptors (dups of its sockets, /dev/null), having sometimes forked
      a grandchild that shares its sockets; then exits without closing
      anything.  So processes exit,
      and fds close, while /proc is being read.
      Prints "ready PID" once the first children run and "churned N" (the
      children it started) at the end.
      With PROCCHURN_LOG=FILE, every child appends "PID PORT..." to FILE
      before its sockets go CLOSE_WAIT: its pid, its listener's port and
      the peer ports of its accepted sockets (the ports its sockets are
      grouped under), and every grandchild its own pid with the same
      ports: who may be named the owner of a socket on those ports.  Every child and grandchild dies
      with its parent (PR_SET_PDEATHSIG), so nothing outlives the churner.
"""
import ctypes
import os
import random
import select
import signal
import socket
import sys
import time

LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME, PR_SET_PDEATHSIG = 15, 1


def die_with_parent(parent):
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:      # it died before the prctl
        os._exit(0)


def log(pid, ports):
    path = os.environ.get("PROCCHURN_LOG")
    if path:
        # One write with O_APPEND: lines of concurrent writers stay whole.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(fd, ("%d %s\n" % (pid, " ".join(map(str, ports)))).encode())
        os.close(fd)


def kid(parent):
    die_with_parent(parent)
    LIBC.prctl(PR_SET_NAME, b"churnkid", 0, 0, 0)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    held, conns = [], []
    for _ in range(random.randint(1, 4)):
        c = socket.create_connection(ls.getsockname())
        a, _ = ls.accept()
        conns.append(c)
        held.append(a)
    ports = [ls.getsockname()[1]] + [a.getpeername()[1] for a in held]
    log(os.getpid(), ports)
    for c in conns:
        c.close()                   # FIN: the accepted end goes CLOSE_WAIT
    if random.random() < 0.3:
        ls.close()                  # its sockets now count as outbound
    me = os.getpid()
    if random.random() < 0.3 and os.fork() == 0:
        die_with_parent(me)         # shares the sockets; dies with its parent
        log(os.getpid(), ports)
        time.sleep(random.random() * 0.02)
        os._exit(0)
    # Mostly a few ms, some up to 200 ms: some owners are found, some gone.
    end = time.monotonic() + 0.2 * random.random() ** 2
    fds = []
    while time.monotonic() < end:
        fds.append(os.dup(random.choice(held).fileno()))
        fds.append(os.open("/dev/null", os.O_RDONLY))
        while len(fds) > 8:
            os.close(fds.pop(random.randrange(len(fds))))
    os._exit(0)


def main():
    nkids = min(int(sys.argv[1]) if len(sys.argv) > 1 else 6, 64)
    seconds = min(float(sys.argv[2]) if len(sys.argv) > 2 else 120, 600)
    me = os.getpid()
    deadline = time.monotonic() + seconds
    kids, started, said = set(), 0, False
    while time.monotonic() < deadline:
        while len(kids) < nkids:
            pid = os.fork()
            if pid == 0:
                try:
                    kid(me)
                finally:
                    os._exit(0)
            kids.add(pid)
            started += 1
        if not said:
            print("ready %d" % me, flush=True)
            said = True
        while kids:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            kids.discard(pid)
        r, _, _ = select.select([sys.stdin], [], [], 0.002)
        if r and not os.read(sys.stdin.fileno(), 4096):
            break
    for pid in kids:
        os.kill(pid, signal.SIGKILL)
    for pid in kids:
        os.waitpid(pid, 0)
    print("churned %d" % started, flush=True)


if __name__ == "__main__":
    main()

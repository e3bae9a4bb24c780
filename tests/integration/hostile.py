#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""hostile.py - processes with hostile names, and strict checks of
portstat's outputs, for it_hostile.sh.

  hostile.py hold HOLDER_HEX NAME_HEX:PORT:N[:move]...
      Run inside a network namespace whose lo is up.  Names itself
      HOLDER_HEX (hex of any bytes, set with prctl(PR_SET_NAME)), then
      forks one child per NAME_HEX:PORT:N.  With ":move" it prints "move
      PID" and waits for a line on stdin before the child makes any socket
      (a socket's cgroup is its creator's at creation: the test moves the
      child into a cgroup first).  The child names itself, listens
      on 127.0.0.1:PORT and [::1]:PORT, connects N clients to each, accepts
      them and shuts the clients' sending side: the child then holds 2
      LISTEN, 2N CLOSE_WAIT (accepted) and 2N FIN_WAIT2 (clients) sockets.
      Prints "ready HOLDER_PID CHILD_PID..." once every child is ready,
      then holds everything until its stdin reaches EOF.  The children die
      with it (PR_SET_PDEATHSIG).

  hostile.py check FORMAT FILE EXPECT_JSON
      Validate one output of portstat as a strict consumer would, and check
      that what the test planted is in it.  FORMAT is json, csv, text or
      prometheus-names (the latter only checks label values are UTF-8).
      EXPECT_JSON: {"names": [hex...], "text_tags": [[start, end]...]}:
        json  strict UTF-8 then strict JSON; every string in it free of
              raw control characters (the parser already refuses C0);
              each planted name appears as a string equal to its bytes
              decoded with U+FFFD for invalid sequences (runs of U+FFFD
              compared as one, whatever the replacement policy).
        csv   parsed by the csv module (strict): every row has the
              header's field count; each planted name is one whole field
              (raw bytes, the UTF-8-with-U+FFFD decoding, or with its
              controls escaped), never split over fields or rows.
        text  no C0 control but \\n, no DEL, no C1 (raw 0x80-0x9f outside
              a UTF-8 sequence or U+0080-U+009F); each planted name's start
              tag (ASCII bytes the test put at its start) is shown, and its
              end tag is never on a line without the start tag before it: a
              name may be cut to a column, but never spans lines.
      Prints one line per problem and exits 1 if any.
"""
import csv
import ctypes
import io
import json
import os
import re
import selectors
import signal
import socket
import sys

PR_SET_NAME = 15
PR_SET_PDEATHSIG = 1


def prctl(option, arg):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, arg, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl")


def set_comm(raw):
    prctl(PR_SET_NAME, ctypes.c_char_p(raw[:15]))
    with open("/proc/self/comm", "rb") as f:
        got = f.read().rstrip(b"\n")
    if got != raw[:15]:
        raise SystemExit("comm is %r, want %r" % (got, raw[:15]))


def child(raw, port, n, wfd, move):
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    set_comm(raw)
    if move:
        os.write(wfd, b"%d\n" % os.getpid())
        signal.sigwait([signal.SIGUSR1])
    held = []
    for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(64)
        held.append(ls)
        for _ in range(n):
            c = socket.create_connection((addr, port), timeout=10)
            s, _ = ls.accept()
            c.shutdown(socket.SHUT_WR)      # server side: CLOSE_WAIT
            held += [c, s]
    os.write(wfd, b"%d\n" % os.getpid())
    os.close(wfd)
    while True:
        signal.pause()


def hold(holder_hex, specs):
    set_comm(bytes.fromhex(holder_hex))
    pids = []
    for spec in specs:
        name_hex, port, n, *opt = spec.split(":")
        move = opt == ["move"]
        r, w = os.pipe()
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                child(bytes.fromhex(name_hex), int(port), int(n), w, move)
            finally:
                os._exit(1)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1])
        os.close(w)
        with os.fdopen(r, "rb") as f:
            if move:
                if not f.readline().strip():
                    raise SystemExit("child for %s failed" % spec)
                print("move %d" % pid, flush=True)
                sys.stdin.buffer.readline()
                os.kill(pid, signal.SIGUSR1)
            line = f.read()
        if not line.strip():
            raise SystemExit("child for %s failed" % spec)
        pids.append(pid)
    print("ready %d %s" % (os.getpid(), " ".join(map(str, pids))), flush=True)
    sys.stdin.buffer.read()
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def collapse(s):
    return re.sub("\ufffd+", "\ufffd", s)


def is_control(ch):
    o = ord(ch)
    return o < 0x20 or o == 0x7f or 0x80 <= o <= 0x9f


def check_json(data, names, problems):
    try:
        text = data.decode("utf-8")         # strict: no stray bytes, no surrogates
    except UnicodeDecodeError as e:
        problems.append("json: not UTF-8: %s" % e)
        return
    docs = []
    for i, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        try:
            docs.append(json.loads(line))   # strict=True: no raw C0 in strings
        except ValueError as e:
            problems.append("json: line %d: %s" % (i + 1, e))
    strings = []

    def walk(v):
        if isinstance(v, str):
            strings.append(v)
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(docs)
    seen = {collapse(s) for s in strings}
    for raw in names:
        want = collapse(raw.decode("utf-8", "replace"))
        if not any(want in s for s in seen):
            problems.append("json: name %r (decoded %r) not found" % (raw, want))


def escaped_forms(raw):
    """The forms a planted name may take in a text-like field."""
    dec = raw.decode("utf-8", "replace")
    forms = {collapse(raw.decode("utf-8", "surrogateescape")), collapse(dec)}
    return forms


def text_problems(what, s):
    """Control characters in s (decoded with surrogateescape)."""
    out = []
    for i, ch in enumerate(s):
        o = ord(ch)
        bad = (o < 0x20 and ch != "\n") or o == 0x7f or 0x80 <= o <= 0x9f or \
            0xdc80 <= o <= 0xdc9f
        if bad:
            line = s.count("\n", 0, i) + 1
            out.append("%s: control 0x%x on line %d: %r" % (
                what, o & 0xff if o >= 0xdc00 else o, line,
                s.split("\n")[line - 1][:120]))
    return out


def check_text(data, tags, problems):
    s = data.decode("utf-8", "surrogateescape")
    problems += text_problems("text", s)[:10]
    lines = s.split("\n")
    for start, end in tags:
        if not any(start in l for l in lines):
            problems.append("text: tag %r (a name's start) not found" % start)
        # A name may be cut to a column's width, but its end never sits
        # on a line of its own.
        for l in lines:
            if end in l and start not in l[:l.rindex(end)]:
                problems.append("text: name ending %r spans lines (no %r before it): %r"
                                % (end, start, l[:120]))


def check_csv(data, names, problems):
    s = data.decode("utf-8", "surrogateescape")
    try:
        rows = list(csv.reader(io.StringIO(s, newline=""), strict=True))
    except csv.Error as e:
        problems.append("csv: %s" % e)
        return
    rows = [r for r in rows if r]
    if not rows:
        problems.append("csv: empty")
        return
    # With --all-netns or -i a header may repeat; every row has its width.
    width = len(rows[0])
    for i, r in enumerate(rows):
        if len(r) != width:
            problems.append("csv: row %d has %d fields, header %d: %r" % (i + 1, len(r), width, r))
    fields = {collapse(f) for r in rows for f in r}
    for raw in names:
        forms = escaped_forms(raw)
        if not any(form in f for form in forms for f in fields):
            # An escaped form (controls shown as \xNN, ?, ...) is fine if
            # the name's printable ASCII survives whole in one field.
            core = re.sub(rb"[^\x21-\x7e]+", b"\0", raw).split(b"\0")
            core = [c.decode() for c in core if len(c) >= 1]
            if not any(all(c in f for c in core) and
                       [f.find(c) for c in core] == sorted(f.find(c) for c in core)
                       for f in fields):
                problems.append("csv: name %r is not one field" % raw)


def check_prom_names(data, problems):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append("prometheus: not UTF-8: %s" % e)


def check(fmt, path, expect):
    with open(path, "rb") as f:
        data = f.read()
    names = [bytes.fromhex(h) for h in expect.get("names", [])]
    tags = expect.get("text_tags", [])
    problems = []
    if fmt == "json":
        check_json(data, names, problems)
    elif fmt == "csv":
        check_csv(data, names, problems)
    elif fmt == "text":
        check_text(data, tags, problems)
    elif fmt == "prometheus-names":
        check_prom_names(data, problems)
    else:
        raise SystemExit("unknown format %s" % fmt)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "hold":
        hold(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 5 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], json.loads(sys.argv[4])))
    else:
        sys.exit(__doc__)

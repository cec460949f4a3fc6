#!/usr/bin/python3
"""The Python and Dovecot sides of the interop matrix (run by spooltest/interop/main, as the test user).

  peer.py parse MBOX                      Python's mailbox parser, no lock: the messages as JSON
  peer.py py-deliver MBOX DEADLINE FILE   append FILE with mailbox.mbox.add under mbox.lock() (dot-lock + lockf),
                                          retrying lock() every 10 ms until DEADLINE (epoch seconds): Python's
                                          lock() never waits by itself
  peer.py py-read MBOX DEADLINE           lock() as above, parse, unlock: the messages as JSON
  peer.py imap-append PORT FOLDER FILE    IMAP LOGIN + APPEND (Dovecot delivers: its own locks)
  peer.py imap-read PORT FOLDER           IMAP LOGIN + EXAMINE + FETCH 1:* BODY.PEEK[]: the messages as JSON
  peer.py imap-hold PORT FOLDER LOCK FILE start APPEND of FILE with a synchronising literal, send the first half,
                                          print "locked" once Dovecot's dot-lock LOCK exists (it holds its fcntl
                                          lock and the dot-lock while the literal streams in), send the rest when
                                          stdin closes, print "appended <tagged response>"
The IMAP password comes from the environment (SPOOLTEST_IMAP_PASSWORD), user SPOOLTEST_IMAP_USER.

A message is "intact" when its body holds the line "END <id> <sha1>" and the SHA-1 of the body before that
line matches: spooltest/interop/main writes every test message that way, so a reader that caught a message
half written sees it as not intact.
"""
import hashlib
import imaplib
import json
import mailbox
import os
import re
import socket
import sys
import time

# pylock.py: copied beside this script by the harness; in the source tree, one directory up
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pylock import lock  # noqa: E402

MSGID = re.compile(rb"^Message-ID: <([^@>\s]+)@interop>", re.M | re.I)


def check(raw):
    """(id or None, intact, body length) of one message's bytes (header + body, any line ends)."""
    raw = raw.replace(b"\r\n", b"\n")
    m = MSGID.search(raw.split(b"\n\n", 1)[0])
    ident = m.group(1).decode() if m else None
    parts = raw.split(b"\n\n", 1)
    body = parts[1] if len(parts) > 1 else b""
    intact = False
    if ident:
        end = re.search(rb"(?:^|\n)END " + re.escape(ident.encode()) + rb" ([0-9a-f]{40})\n", body)
        if end:
            start = end.start() + (1 if body[end.start():end.start() + 1] == b"\n" else 0)
            intact = hashlib.sha1(body[:start]).hexdigest() == end.group(1).decode()
    return ident, intact, len(body)


def parse(path):
    box = mailbox.mbox(path, create=False)
    try:
        return [check(box.get_bytes(k)) for k in box.keys()]
    finally:
        box.close()


def py_lock(box, deadline):
    if not lock(box, deadline=deadline):
        sys.exit("peer.py: %s: could not take Python's lock before the deadline" % box._path)


def imap_login(port):
    c = imaplib.IMAP4("127.0.0.1", int(port))
    c.login(os.environ["SPOOLTEST_IMAP_USER"], os.environ["SPOOLTEST_IMAP_PASSWORD"])
    return c


def crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def imap_hold(port, folder, lock, path):
    data = crlf(open(path, "rb").read())
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=600)
    f = s.makefile("rb")

    def expect(tag):
        while True:
            line = f.readline()
            if not line:
                sys.exit("peer.py: Dovecot closed the connection")
            if line.startswith(tag):
                return line.decode(errors="replace").strip()

    f.readline()
    user, pw = os.environ["SPOOLTEST_IMAP_USER"], os.environ["SPOOLTEST_IMAP_PASSWORD"]
    s.sendall(b'a LOGIN "%s" "%s"\r\n' % (user.encode(), pw.encode()))
    r = expect(b"a ")
    if not r.startswith("a OK"):
        sys.exit("peer.py: login failed: " + r)
    s.sendall(b'b APPEND "%s" {%d}\r\n' % (folder.encode(), len(data)))
    r = expect(b"+")
    half = len(data) // 2
    s.sendall(data[:half])
    deadline = time.time() + 60
    while not os.path.exists(lock):
        if time.time() > deadline:
            sys.exit("peer.py: Dovecot took no dot-lock %s during a streaming APPEND" % lock)
        time.sleep(0.01)
    time.sleep(0.3)  # let Dovecot write what it has so far
    print("locked", flush=True)
    sys.stdin.read()
    s.sendall(data[half:] + b"\r\n")
    r = expect(b"b ")
    print("appended " + r, flush=True)
    s.sendall(b"c LOGOUT\r\n")
    return 0 if r.startswith("b OK") else 1


def main():
    op = sys.argv[1]
    if op == "parse":
        print(json.dumps(parse(sys.argv[2])))
    elif op == "py-deliver":
        box = mailbox.mbox(sys.argv[2], create=False)
        py_lock(box, float(sys.argv[3]))
        try:
            msg = mailbox.mboxMessage(open(sys.argv[4], "rb").read())
            msg.set_unixfrom("From python@interop.example Tue Dec  1 10:00:00 2026")
            box.add(msg)
            box.flush()
        finally:
            box.unlock()
            box.close()
    elif op == "py-read":
        box = mailbox.mbox(sys.argv[2], create=False)
        py_lock(box, float(sys.argv[3]))
        try:
            print(json.dumps([check(box.get_bytes(k)) for k in box.keys()]))
        finally:
            box.unlock()
            box.close()
    elif op == "imap-append":
        c = imap_login(sys.argv[2])
        data = crlf(open(sys.argv[4], "rb").read())
        typ, resp = c.append('"%s"' % sys.argv[3], None, None, data)
        c.logout()
        if typ != "OK":
            sys.exit("peer.py: APPEND to %s: %s %s" % (sys.argv[3], typ, resp))
    elif op == "imap-read":
        c = imap_login(sys.argv[2])
        typ, resp = c.select('"%s"' % sys.argv[3], readonly=True)
        if typ != "OK":
            sys.exit("peer.py: EXAMINE %s: %s %s" % (sys.argv[3], typ, resp))
        n = int(resp[0])
        out = []
        if n:
            typ, resp = c.fetch("1:*", "(BODY.PEEK[])")
            if typ != "OK":
                sys.exit("peer.py: FETCH in %s: %s %s" % (sys.argv[3], typ, resp))
            out = [check(item[1]) for item in resp if isinstance(item, tuple)]
        c.logout()
        print(json.dumps(out))
    elif op == "imap-hold":
        return imap_hold(*sys.argv[2:6])
    else:
        sys.exit("usage: see the docstring of " + sys.argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""LMTP client for spoollock's interop tests (Python's smtplib.LMTP and raw sockets).

  lmtpclient.py send PORT N PREFIX RCPT ACKFILE [DEADLINE_S]
      N messages, one transaction each (smtplib.LMTP.sendmail), Message-ID <PREFIX-i@lmtp> and a body
      ending "end PREFIX-i"; a message not acknowledged (a refused connection, a dropped one, a 4xx)
      is sent again, on a new connection, until it is acknowledged or the deadline passes. Each
      acknowledged id is appended to ACKFILE at once. Exit 0 when all are acknowledged.
  lmtpclient.py mixed PORT RCPT...
      one transaction to all RCPTs (raw socket: smtplib's LMTP reads only one reply after DATA); prints
      each RCPT reply, then each DATA reply, one per line.
  lmtpclient.py cut PORT RCPT
      MAIL, RCPT, DATA, half a message, then the connection closed.
"""
import socket
import smtplib
import sys
import time


def message(mid):
    body = "".join("%s line %d with a dot next\r\n.%d\r\n" % (mid, i, i) for i in range(40))
    return ("From: lmtp@example.org\r\nSubject: %s\r\nMessage-ID: <%s@lmtp>\r\n\r\n%sFrom inside %s\r\nend %s\r\n"
            % (mid, mid, body, mid, mid)).encode()


def send(port, n, prefix, rcpt, ackfile, deadline_s=120):
    deadline = time.time() + deadline_s
    conn = None
    with open(ackfile, "a") as acks:
        for i in range(n):
            mid = "%s-%d" % (prefix, i)
            while True:
                if time.time() > deadline:
                    print("deadline passed at", mid, file=sys.stderr)
                    return 1
                try:
                    if conn is None:
                        conn = smtplib.LMTP("127.0.0.1", port, timeout=60)
                        code, _ = conn.ehlo("lmtpclient")   # LMTP's ehlo says LHLO
                        if code != 250:
                            raise smtplib.SMTPException("LHLO %d" % code)
                    refused = conn.sendmail("sender@example.org", [rcpt], message(mid))
                    if not refused:
                        acks.write(mid + "\n")
                        acks.flush()
                        break
                except (OSError, smtplib.SMTPException):
                    try:
                        if conn is not None:
                            conn.close()
                    except OSError:
                        pass
                    conn = None
                    time.sleep(0.05)
    if conn is not None:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return 0


class Raw:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.f = self.s.makefile("rb")

    def reply(self):
        lines = []
        while True:
            line = self.f.readline().decode("latin-1").rstrip("\r\n")
            if not line:
                return "\n".join(lines) or "(closed)"
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return "\n".join(lines)

    def cmd(self, line):
        self.s.sendall(line.encode("latin-1") + b"\r\n")
        return self.reply()


def mixed(port, rcpts):
    r = Raw(port)
    r.reply()
    r.cmd("LHLO lmtpclient")
    print(r.cmd("MAIL FROM:<sender@example.org>"))
    ok = 0
    for rc in rcpts:
        rep = r.cmd("RCPT TO:<%s>" % rc)
        print(rep)
        ok += rep.startswith("250")
    rep = r.cmd("DATA")
    print(rep)
    if rep.startswith("354"):
        r.s.sendall(message("mixed") + b".\r\n")
        for _ in range(ok):
            print(r.reply())
    print(r.cmd("QUIT"))
    return 0


def cut(port, rcpt):
    r = Raw(port)
    r.reply()
    r.cmd("LHLO lmtpclient")
    r.cmd("MAIL FROM:<sender@example.org>")
    r.cmd("RCPT TO:<%s>" % rcpt)
    print(r.cmd("DATA"))
    m = message("cut")
    r.s.sendall(m[: len(m) // 2])
    r.s.close()
    return 0


if __name__ == "__main__":
    a = sys.argv
    if a[1] == "send":
        sys.exit(send(int(a[2]), int(a[3]), a[4], a[5], a[6], int(a[7]) if len(a) > 7 else 120))
    if a[1] == "mixed":
        sys.exit(mixed(int(a[2]), a[3:]))
    if a[1] == "cut":
        sys.exit(cut(int(a[2]), a[3]))
    print(__doc__, file=sys.stderr)
    sys.exit(64)

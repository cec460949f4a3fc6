#!/usr/bin/env python3
"""One LMTP load client process for spooltest/bench/lmtp.py: waits for GO (a file), then sends N 4 KB
messages with Python's smtplib.LMTP over C connections (round robin, one transaction each), to RCPT
(or to RCPT with %d replaced by the connection number), and prints one JSON line: start and end
(time.monotonic), the CPU time this client used meanwhile, and each delivery's latency in microseconds
(the whole transaction, as the client sees it). Exits 1 if any message is refused.

  lmtpload.py PORT N C RCPT GOFILE
"""
import json
import os
import smtplib
import sys
import time


def main():
    port, n, c, rcpt, go = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    pid = os.getpid()
    def head(i):
        return "From: bench@example.org\r\nTo: bench@example.org\r\nSubject: lmtp bench\r\nMessage-ID: <lmtp.%d.%010d@bench>\r\n\r\n" % (pid, i)
    line = "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\r\n"
    body = line * ((4096 - len(head(0)) - 60) // len(line))
    body += "x" * (4096 - len(head(0)) - len(body) - 2) + "\r\n"
    conns = []
    for k in range(c):
        s = smtplib.LMTP("127.0.0.1", port, timeout=120)
        s.ehlo("bench")
        conns.append(s)
    while not os.path.exists(go):
        time.sleep(0.001)
    lat = []
    c0 = time.process_time()
    t0 = time.monotonic()
    for i in range(n):
        k = i % c
        to = rcpt.replace("%d", str(k)) if "%d" in rcpt else rcpt
        msg = (head(i) + body).encode()
        a = time.monotonic()
        refused = conns[k].sendmail("bench@example.org", [to], msg)
        lat.append(int((time.monotonic() - a) * 1e6))
        if refused:
            print("refused: %r" % refused, file=sys.stderr)
            return 1
    t1 = time.monotonic()
    cpu = time.process_time() - c0
    for s in conns:
        s.quit()
    print(json.dumps({"t0": t0, "t1": t1, "n": n, "cpu_s": cpu, "latency_us": lat}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

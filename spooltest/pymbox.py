#!/usr/bin/env python3
"""Python's mailbox module as an mbox peer, for the interop tests.

    pymbox.py scan MBOX             print the message count, then each message's Message-ID (or '-')
    pymbox.py deliver MBOX N TAG    append N messages (Message-ID <TAG-i@pymbox>) one at a time, each under
                                    mailbox.mbox.lock() (dot-lock + lockf, Python's own protocol), flushed
"""
import mailbox
import sys

from pylock import lock  # beside this file


def scan(path):
    box = mailbox.mbox(path, create=False)
    keys = box.keys()
    print(len(keys))
    for k in keys:
        print(box.get_message(k).get("Message-ID", "-"))


def deliver(path, n, tag):
    box = mailbox.mbox(path, create=True)
    for i in range(n):
        msg = mailbox.mboxMessage()
        msg.set_unixfrom("From python@example.org Mon Nov 23 10:00:00 2026")
        msg["From"] = "python@example.org"
        msg["Subject"] = "python %d" % i
        msg["Message-ID"] = "<%s-%d@pymbox>" % (tag, i)
        msg.set_payload("From python, message %d\nsecond line\n" % i)
        lock(box, pause=0.005)
        try:
            box.add(msg)
            box.flush()
        finally:
            box.unlock()
    box.close()


if __name__ == "__main__":
    if sys.argv[1] == "scan":
        scan(sys.argv[2])
    elif sys.argv[1] == "deliver":
        deliver(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit("usage: pymbox.py scan MBOX | deliver MBOX N TAG")

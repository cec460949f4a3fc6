"""The torture test's messages and its checker (stdlib only; imported by main, and run by the test
user as `python3 mboxcheck.py read|pyparse|deliver ...` where the repository is not readable to it).

A torture message is built here; its identity and integrity travel inside it:

    Message-ID: <ID@torture>          unique per message; the body's first line is "torture-id ID"
    X-Torture-Sum: <sha256 hex>       of the message's own bytes without this header line and without
                                      the newlines at its very end
    X-Torture-Pad: xxx                pads the message to a size unique to it (see build())

What is compared for "byte-identical": every header line as delivered, in order, except the status
headers that mbox writers add or rewrite (Status, X-Status, X-Keywords, X-UID, X-IMAP, X-IMAPbase,
with their continuation lines), and every body line after undoing the mboxo quoting of lines that
start with "From " (the messages contain no ">From " lines of their own, so that is unambiguous).
Trailing newlines of a message are not compared: the last one is the mbox separator, which writers
place differently (Python writes it before the next message, c-client and spoollock after).
"""
import hashlib
import json
import os
import random
import re
import sys
import time

# pylock.py: copied beside this script by the harness; in the source tree, one directory up
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pylock import lock  # noqa: E402

STATUS_HEADERS = {b"status", b"x-status", b"x-keywords", b"x-uid", b"x-imap", b"x-imapbase"}
SUM_HEADER = b"x-torture-sum"
# c-client's VALID(): "From " then a date of the form "Www Mmm dd hh:mm[:ss] [zone] yyyy" at the end
# (simplified to what every writer here produces; all of them quote "From " body lines).
FROM_LINE = re.compile(rb"^From \S*.* [A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9]\d \d\d:\d\d(:\d\d)?( [-+]?[A-Z0-9]+)? \d{4}( [-+]\d{4})?\r?$")


def build(msg_id, seq, actor, rng, big=False):
    """The original bytes of message `seq` (its ID `msg_id`), and its expected c-client size.

    Sizes are made unique: the RFC822 size as c-client counts it (CRLF line ends, status headers
    excluded, mboxo quoting included) is 3000 + 8 * seq, so a reader that only reports sizes
    (spoollock list, c-client list) still says which message it saw, and a partial or doubled
    message cannot hide behind another's size."""
    lines = [b"torture-id " + msg_id.encode()]
    for i in range(rng.randint(3, 25)):
        if rng.random() < 0.15:
            lines.append(b"From the body of %s, line %d: must be quoted as >From" % (msg_id.encode(), i))
        else:
            lines.append(b"%s line %d %s" % (msg_id.encode(), i, b"x" * rng.randint(0, 60)))
    target = 3000 + 8 * seq
    if big:   # about 1 MB (stopped deliverers), sizes unique among themselves the same way
        target += 1000000
        lines += [b"p" * 76] * ((target - 3000) // 78)
    lines.append(b"end " + msg_id.encode())
    body = b"\n".join(lines) + b"\n"
    head = [b"From: " + actor.encode() + b"@torture.example",
            b"To: box@torture.example",
            b"Subject: torture " + msg_id.encode(),
            b"Message-ID: <" + msg_id.encode() + b"@torture>",
            b"Date: Tue, 01 Dec 2026 23:00:00 +0000"]

    def assemble(pad):
        h = head + [b"X-Torture-Pad: " + b"p" * pad]
        unsummed = b"\n".join(h) + b"\n\n" + body
        s = hashlib.sha256(unsummed.rstrip(b"\n")).hexdigest().encode()
        return b"\n".join(h + [b"X-Torture-Sum: " + s]) + b"\n\n" + body

    base = cclient_size(assemble(0))
    if base > target:
        raise ValueError("message %s too large for its size slot" % msg_id)
    data = assemble(target - base)
    assert cclient_size(data) == target
    return data, target


def quoted_lines(data):
    return [b">" + l if l.startswith(b"From ") else l for l in data.split(b"\n")]


def cclient_size(original):
    """c-client's RFC822 size of `original` once stored: CRLF line ends, quoting included."""
    text = b"\n".join(quoted_lines(original.rstrip(b"\n"))) + b"\n"
    return len(text) + text.count(b"\n")


def split_mbox(data):
    """Splits at From_ lines (start of file or after a newline). Returns [(offset, bytes)]."""
    starts = []
    pos = 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end + 1
        if data.startswith(b"From ", pos) and FROM_LINE.match(data[pos:end].rstrip(b"\n")):
            starts.append(pos)
        pos = end
    out = []
    for i, s in enumerate(starts):
        out.append((s, data[s:starts[i + 1] if i + 1 < len(starts) else len(data)]))
    return out, (starts[0] if starts else len(data))


def examine(raw):
    """One stored message (From_ line included) -> dict: id, ok, why, sum, size (c-client's)."""
    nl = raw.find(b"\n")
    rest = raw[nl + 1:]
    hdr_end = rest.find(b"\n\n")
    if hdr_end < 0:
        header, body = rest, b""
    else:
        header, body = rest[:hdr_end + 1], rest[hdr_end + 2:]
    kept, skipping, claimed, size_hdr = [], False, None, 0
    for line in header.split(b"\n")[:-1]:
        if line[:1] in (b" ", b"\t"):
            if skipping:
                continue
        else:
            name = line.split(b":", 1)[0].strip().lower()
            skipping = name in STATUS_HEADERS
            if skipping:
                continue
            if name == SUM_HEADER:
                claimed = line.split(b":", 1)[1].strip().decode("ascii", "replace")
                size_hdr += len(line) + 2
                continue
        kept.append(line)
        size_hdr += len(line) + 2
    # c-client's size: kept headers + blank line + body, without the blank line that separates it
    # from the next From_ line (a message that ends without one keeps its last newline)
    btext = body[:-1] if body.endswith(b"\n\n") or body == b"\n" else body
    size = size_hdr + 2 + len(btext) + btext.count(b"\n") if hdr_end >= 0 else size_hdr
    unquoted = [l[1:] if l.startswith(b">From ") else l for l in body.split(b"\n")]
    first = unquoted[0] if unquoted else b""
    msg_id = first[len(b"torture-id "):].decode("ascii", "replace") if first.startswith(b"torture-id ") else None
    rebuilt = b"\n".join(kept) + b"\n\n" + b"\n".join(unquoted)
    actual = hashlib.sha256(rebuilt.rstrip(b"\n")).hexdigest()
    why = None
    if msg_id is None:
        why = "no torture-id line at the start of the body (first line: %r)" % first[:80]
    elif claimed is None:
        why = "no X-Torture-Sum header"
    elif claimed != actual:
        why = "checksum mismatch (claimed %s..., actual %s...): partial, interleaved or altered" % (claimed[:12], actual[:12])
    elif not rebuilt.rstrip(b"\n").endswith(b"end " + msg_id.encode()):
        why = "does not end with its end line"
    mid = re.search(rb"(?im)^Message-ID:\s*<([^>]*)@torture>", header)
    if why is None and (mid is None or mid.group(1).decode() != msg_id):
        why = "Message-ID header does not match the body's torture-id"
    return {"id": msg_id, "ok": why is None, "why": why, "sum": actual, "size": size}


def slurp(path):
    with open(path, "rb") as f:
        return f.read()


def read_file(path, data=None):
    """Parses a whole mbox: {"messages": [...], "problems": [...]} (problems: file-level)."""
    if data is None:
        data = slurp(path)
    msgs, first = split_mbox(data)
    problems = []
    if data[:first].strip(b"\n"):
        problems.append("%d bytes before the first From_ line" % first)
    if data and not data.endswith(b"\n"):
        problems.append("the file does not end with a newline (a cut message)")
    if b"\0" in data:
        problems.append("NUL bytes at offset %d" % data.index(b"\0"))
    out = []
    for off, raw in msgs:
        e = examine(raw)
        e["offset"] = off
        out.append(e)
    return {"messages": out, "problems": problems, "size": len(data)}


def python_parse(path):
    """Python's own mailbox.mbox parse of `path`: the torture IDs (from each message's body) in order,
    and whether each message's bytes (as Python returns them) pass the checksum."""
    import mailbox
    box = mailbox.mbox(path, create=False)
    out = []
    for key in box.keys():
        raw = box.get_bytes(key, from_=True)
        e = examine(raw if raw.startswith(b"From ") else b"From x Tue Dec  1 00:00:00 2026\n" + raw)
        out.append({"id": e["id"], "ok": e["ok"], "why": e["why"]})
    box.close()
    return out


def python_locked(path, fn, limit=60.0):
    """Runs fn() under Python mailbox's own lock (lockf + dot-lock), retrying while others hold it."""
    import mailbox
    box = mailbox.mbox(path, create=False)
    if not lock(box, deadline=time.time() + limit):
        raise SystemExit("mboxcheck: %s: Python's mailbox lock not had in %ds" % (path, limit))
    try:
        return fn()
    finally:
        box.unlock()
        box.close()


def deliver(path, files):
    """Python's mailbox as a deliverer: each file's bytes added under its lock, flushed; prints the
    number of each delivered file's message as it is flushed."""
    import mailbox
    for i, name in enumerate(files):
        with open(name, "rb") as f:
            data = f.read()
        box = mailbox.mbox(path, create=False)
        if not lock(box, deadline=time.time() + 60, pause=0.005):
            raise SystemExit("mboxcheck: %s: Python's mailbox lock not had in 60 s" % path)
        try:
            box.add(data)
            box.flush()
            fd = os.open(path, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        finally:
            box.unlock()
            box.close()
        print(i, flush=True)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "read":          # read MBOX [--locked [EVIDENCE]]: our parse, as JSON
        p = sys.argv[2]
        # under the lock only the copy: a lock held for seconds would be broken as stale by the torture
        data = python_locked(p, lambda: slurp(p)) if "--locked" in sys.argv else slurp(p)
        r = read_file(p, data)
        if len(sys.argv) > 4 and (r["problems"] or not all(m["ok"] for m in r["messages"])):
            with open(sys.argv[4], "wb") as f:   # what the reader saw, for the report
                f.write(data)
            r["evidence"] = sys.argv[4]
        json.dump(r, sys.stdout)
    elif cmd == "pyparse":     # pyparse MBOX: Python mailbox's parse, as JSON
        json.dump(python_parse(sys.argv[2]), sys.stdout)
    elif cmd == "scan":        # scan MBOX: under Python's lock, "msgno id" for every message
        p = sys.argv[2]
        r = read_file(p, python_locked(p, lambda: slurp(p)))
        for n, m in enumerate(r["messages"], 1):
            print(n, m["id"], "ok" if m["ok"] else "BAD")
    elif cmd == "deliver":     # deliver MBOX FILE...
        deliver(sys.argv[2], sys.argv[3:])
    else:
        sys.exit("usage: mboxcheck.py read MBOX [--locked] | pyparse MBOX | scan MBOX | deliver MBOX FILE...")

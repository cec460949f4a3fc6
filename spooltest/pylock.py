#!/usr/bin/env python3
"""Python's mailbox module as a locking peer (dot-lock by link + fcntl.lockf, never breaks stale locks).

  pylock.py try MBOX                 lock once without waiting: exit 0 and unlock if got, 1 if held
  pylock.py hold MBOX                lock (retrying), print "locked", hold until stdin closes
  pylock.py run MBOX CMD [ARGS...]   lock (retrying every 10 ms), run CMD, unlock; exit with CMD's status
  pylock.py lockf-try MBOX           fcntl.lockf(LOCK_EX|LOCK_NB) alone, as lockf-only peers lock: exit 0 if got, 1 if held
  pylock.py lockf-hold MBOX          fcntl.lockf(LOCK_EX) alone, print "locked", hold until stdin closes
"""
import fcntl, mailbox, subprocess, sys, time

def lock(mb, wait=True, deadline=None, pause=0.01):
    """Python's mbox.lock() (dot-lock + lockf). It never waits by itself (it raises while another
    program holds the mailbox), so it is retried every `pause` seconds until `deadline` (epoch
    seconds; None: for ever). True when had; False when not (at once if not `wait`). The one copy
    of this loop: every Python peer of the harness imports it (keep this file beside them)."""
    while True:
        try:
            mb.lock()
            return True
        except mailbox.ExternalClashError:
            if not wait or (deadline is not None and time.time() > deadline):
                return False
            time.sleep(pause)

def lockf(path, op):
    with open(path, "rb+") as f:
        try:
            fcntl.lockf(f, fcntl.LOCK_EX | (fcntl.LOCK_NB if op == "lockf-try" else 0))
        except OSError:
            return 1
        if op == "lockf-hold":
            print("locked", flush=True)
            sys.stdin.read()
        return 0

def main():
    op, path = sys.argv[1], sys.argv[2]
    if op.startswith("lockf-"):
        return lockf(path, op)
    mb = mailbox.mbox(path, create=False)
    if op == "try":
        if not lock(mb, False):
            return 1
        mb.unlock()
        return 0
    lock(mb, True)
    try:
        if op == "hold":
            print("locked", flush=True)
            sys.stdin.read()
            return 0
        return subprocess.call(sys.argv[3:])
    finally:
        mb.unlock()
        mb.close()

if __name__ == "__main__":
    sys.exit(main())

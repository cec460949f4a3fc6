/* The floor for one mbox delivery with c-client's locks: the bare syscalls of c-client's append
 * (unix_append: dot-lock, open O_WRONLY|O_APPEND, flock LOCK_EX, write, fsync, set the times,
 * unlock) for one 4096-byte message, in a loop in one process, with nothing else. spoollock's
 * MboxAppender (one message per call) is compared with this (spooltest/bench/mbox.py).
 *
 *   bench-deliver-raw [-i | -p] MBOX N WARMUP [go]
 *
 * One delivery:
 *   dot-lock  open(hitch, O_RDWR|O_CREAT|O_EXCL, 0666), write("PID\n"), fchmod(0666),
 *             link(hitch, MBOX.lock), fstat(hitch fd) (nlink must be 2), unlink(hitch)
 *             (exactly as bench-mboxlock-raw.c; when the lock exists, link fails with EEXIST: close and
 *             unlink the hitching post, sleep 100 us, try again: a tight retry, no back-off)
 *   append    open(MBOX, O_WRONLY|O_APPEND|O_CREAT, 0600), flock(LOCK_EX), write(4096 bytes), fsync,
 *             futimens(atime = now - 1 s, mtime = now: "new mail", as c-client's utime)
 *   release   flock(LOCK_UN), close(mailbox fd), lstat(lock), unlink(lock), close(hitch fd)
 * 17 syscalls. With -i, spoollock's append-intent file as spoollock writes it (created, the whole
 * message in it, fdatasynced, removed after the futimens). With -p, the cheapest durable note we know
 * of, for comparison: one file kept from one delivery to the next (created by the first), into which
 * each delivery writes only what a recovery that cuts back needs (the header: offset, length, CRC) at
 * offset 0 and fdatasyncs it before the append, and overwrites with as many dashes after the futimens,
 * unsynced; no file is created or removed per delivery, and the note's size does not change after the
 * first. The message is a From_ line, headers and a plain-text body, 4096 bytes with the
 * separating newline; its Message-ID <raw.PID.SEQ@spoollock.bench> is unique across processes (SEQ
 * counts from 1, warm-up included); it is formatted once and only the SEQ digits are rewritten.
 * WARMUP untimed deliveries first (to the same mailbox). With "go": then print "ready" and wait for
 * a line on stdin, so several processes can start their timed part together. Prints one JSON object:
 * CLOCK_MONOTONIC at the start and end of the N timed deliveries, ns per delivery, deliveries per
 * second, and how many times the dot-lock was found taken. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define BENCH_PROG "bench-deliver-raw"
#include "bench_dotlock.h"

#define MSG_SIZE 4096
#define INTENT_HEAD "spoollock-append 1\nfile 65024 2100000\noffset 1220608\nlength 4096\ncrc 1234567890\n"

static char msg[MSG_SIZE + 1];
static size_t seq_at; /* offset of the 10 SEQ digits in msg */

static void build_message (const char *host)
{
  static const char *body[] = {
    "Hello,\n",
    "this is a delivery benchmark message of exactly four kilobytes, sent by the raw C floor of\n",
    "spoollock's mbox benchmark. Its lines are plain text of ordinary length, as mail is.\n",
    "\n",
    "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\n",
    "Sphinx of black quartz, judge my vow. How vexingly quick daft zebras jump!\n",
  };
  time_t now = time (NULL);
  struct tm tm;
  char date[64], rfc[64];
  localtime_r (&now, &tm);
  strftime (date, sizeof date, "%a %b %e %H:%M:%S %Y %z", &tm);
  strftime (rfc, sizeof rfc, "%a, %d %b %Y %H:%M:%S %z", &tm);
  int n = snprintf (msg, sizeof msg,
                    "From bench@spoollock.example %s\n"
                    "Return-Path: <bench@spoollock.example>\n"
                    "Received: from localhost by %s with LMTP; %s\n"
                    "From: Bench Sender <bench@spoollock.example>\n"
                    "To: spooltest@%s\n"
                    "Subject: delivery benchmark\n"
                    "Date: %s\n"
                    "Message-ID: <raw.%d.",
                    date, host, rfc, host, rfc, (int) getpid ());
  seq_at = (size_t) n;
  n += snprintf (msg + n, sizeof msg - n, "0000000000@spoollock.bench>\n"
                 "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n");
  for (int i = 0; n < MSG_SIZE - 200; i = (i + 1) % 6) n += snprintf (msg + n, sizeof msg - n, "%s", body[i]);
  /* pad the last line so the message, with its separating newline, is exactly MSG_SIZE bytes */
  for (int col = 0; n < MSG_SIZE - 2; n++, col++) msg[n] = col % 72 == 71 ? '\n' : "abcdefghijklmnopqrstuvwxyz "[col % 27];
  msg[n++] = '\n';
  msg[n++] = '\n';
  msg[n] = '\0';
}

static void set_seq (long s)
{
  char d[24];
  snprintf (d, sizeof d, "%010ld", s);
  memcpy (msg + seq_at, d, 10);
}

static long retries;

static const char *intent; /* with -i or -p: spoollock's append-intent file, else NULL */
static int in_place;        /* -p: the note kept and overwritten in place (above) */
static int note_fd = -1;    /* -p: its descriptor, open from the first delivery on */

static void deliveries (long n, long *seq, const char *mbox, const char *hitch, const char *lock,
                        const char *pidline, size_t pidlen)
{
  for (long i = 0; i < n; i++) {
    set_seq (++*seq);
    int hfd = dotlock_take (hitch, lock, pidline, pidlen, &retries);
    /* the mailbox, flock, append */
    int fd = open (mbox, O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd < 0) die ("open", mbox);
    if (flock (fd, LOCK_EX) < 0) die ("flock", mbox);
    if (in_place) {
      if (note_fd < 0 && (note_fd = open (intent, O_WRONLY | O_CREAT, 0600)) < 0) die ("open", intent);
      if (pwrite (note_fd, INTENT_HEAD, sizeof INTENT_HEAD - 1, 0) != sizeof INTENT_HEAD - 1) die ("pwrite", intent);
      if (fdatasync (note_fd) < 0) die ("fdatasync", intent);
    } else if (intent) { /* what spoollock writes beside the mailbox before appending, fdatasynced */
      int ifd = open (intent, O_WRONLY | O_CREAT | O_TRUNC, 0666);
      if (ifd < 0) die ("open", intent);
      if (write (ifd, INTENT_HEAD, sizeof INTENT_HEAD - 1) != sizeof INTENT_HEAD - 1 || write (ifd, msg, MSG_SIZE) != MSG_SIZE)
        die ("write", intent);
      if (fdatasync (ifd) < 0) die ("fdatasync", intent);   /* durable before the append, as spoollock's */
      if (close (ifd) < 0) die ("close", intent);
    }
    if (write (fd, msg, MSG_SIZE) != MSG_SIZE) die ("write", mbox);
    if (fsync (fd) < 0) die ("fsync", mbox);
    time_t now = time (NULL);
    struct timespec times[2] = { { now - 1, 0 }, { now, 0 } };
    if (futimens (fd, times) < 0) die ("futimens", mbox);
    if (in_place) { /* the same length as the header, so the file's size never changes */
      static char cleared[sizeof INTENT_HEAD - 1];
      if (!cleared[0]) memset (cleared, '-', sizeof cleared);
      if (pwrite (note_fd, cleared, sizeof cleared, 0) != sizeof cleared) die ("pwrite", intent);
    } else if (intent && unlink (intent) < 0) die ("unlink", intent);
    /* release in reverse */
    if (flock (fd, LOCK_UN) < 0) die ("flock unlock", mbox);
    if (close (fd) < 0) die ("close", mbox);
    dotlock_release (lock, hfd, hitch);
  }
}

int main (int argc, char **argv)
{
  char intent_name[2100];
  if (argc > 1 && (!strcmp (argv[1], "-i") || !strcmp (argv[1], "-p"))) {
    intent = intent_name;
    in_place = argv[1][1] == 'p';
    argv++;
    argc--;
  }
  if ((argc != 4 && argc != 5) || (argc == 5 && strcmp (argv[4], "go"))) {
    fprintf (stderr, "usage: bench-deliver-raw [-i | -p] MBOX N WARMUP [go]\n");
    return 64;
  }
  const char *mbox = argv[1];
  long n = atol (argv[2]);
  long warmup = atol (argv[3]);
  if (n <= 0 || warmup < 0) {
    fprintf (stderr, "bench-deliver-raw: N must be positive, WARMUP not negative\n");
    return 64;
  }
  if (strlen (mbox) > 1900) {
    fprintf (stderr, "bench-deliver-raw: mailbox name too long\n");
    return 64;
  }
  char host[256] = "localhost";
  gethostname (host, sizeof host - 1);
  char lock[2100], hitch[4096], pidline[32];
  snprintf (lock, sizeof lock, "%s.lock", mbox);
  if (intent) { /* DIR/.NAME.spoollock-append */
    const char *slash = strrchr (mbox, '/');
    snprintf (intent_name, sizeof intent_name, "%.*s.%s.spoollock-append", slash ? (int) (slash - mbox + 1) : 0, mbox,
              slash ? slash + 1 : mbox);
  }
  snprintf (hitch, sizeof hitch, "%s.%ld.%d.%s", lock, (long) time (NULL), (int) getpid (), host);
  int pidlen = snprintf (pidline, sizeof pidline, "%d\n", (int) getpid ());
  build_message (host);
  if (strlen (msg) != MSG_SIZE) {
    fprintf (stderr, "bench-deliver-raw: message is %zu bytes, not %d\n", strlen (msg), MSG_SIZE);
    return 70;
  }

  long seq = 0;
  deliveries (warmup, &seq, mbox, hitch, lock, pidline, (size_t) pidlen); /* dentries, inode cache, journal */
  if (argc == 5) {
    char line[64];
    printf ("ready\n");
    fflush (stdout);
    if (!fgets (line, sizeof line, stdin)) return 0; /* told to stop */
  }
  long r0 = retries;
  long long t0 = now_ns ();
  deliveries (n, &seq, mbox, hitch, lock, pidline, (size_t) pidlen);
  long long t1 = now_ns ();
  printf ("{\"pid\": %d, \"n\": %ld, \"warmup\": %ld, \"message_bytes\": %d, \"t0_ns\": %lld, \"t1_ns\": %lld,"
          " \"ns_per_message\": %lld, \"messages_per_s\": %.1f, \"lock_retries\": %ld}\n",
          (int) getpid (), n, warmup, MSG_SIZE, t0, t1, (t1 - t0) / n, n * 1e9 / (double) (t1 - t0), retries - r0);
  return 0;
}

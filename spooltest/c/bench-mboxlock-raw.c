/* The floor for a full c-client mailbox lock cycle: the bare syscalls of c-client's unix_lock()
 * order (hitching-post dot-lock, then open the mailbox, then flock) and its release in reverse,
 * in a loop in one process, with nothing else. spoollock's in-process MailboxLock figure is
 * compared with this.
 *
 *   bench-mboxlock-raw DIR N BATCHES [WARMUP]
 *
 * The mailbox is DIR/raw-mbox (created empty if missing). One cycle:
 *   acquire  open(hitch, O_RDWR|O_CREAT|O_EXCL, 0666), write("PID\n"), fchmod(0666),
 *            link(hitch, lock), fstat(hitch fd) (nlink must be 2), unlink(hitch),
 *            open(mailbox, O_RDWR), flock(LOCK_EX)
 *   release  flock(LOCK_UN), close(mailbox fd), lstat(lock), unlink(lock), close(hitch fd)
 * 14 syscalls. The names are formatted once, outside the loop. WARMUP untimed cycles (default N),
 * then BATCHES timed batches of N cycles each. Prints one JSON object: ns per cycle of each batch,
 * and their median (the same output as bench-dotlock-raw). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define BENCH_PROG "bench-mboxlock-raw"
#include "bench_dotlock.h"

static void cycles (long n, const char *mbox, const char *hitch, const char *lock, const char *pidline, size_t pidlen)
{
  for (long i = 0; i < n; i++) {
    int hfd = dotlock_take (hitch, lock, pidline, pidlen, NULL);
    /* the mailbox, then flock */
    int fd = open (mbox, O_RDWR);
    if (fd < 0) die ("open", mbox);
    if (flock (fd, LOCK_EX) < 0) die ("flock", mbox);
    /* held; release in reverse */
    if (flock (fd, LOCK_UN) < 0) die ("flock unlock", mbox);
    if (close (fd) < 0) die ("close", mbox);
    dotlock_release (lock, hfd, hitch);
  }
}

int main (int argc, char **argv)
{
  if (argc != 4 && argc != 5) {
    fprintf (stderr, "usage: bench-mboxlock-raw DIR N BATCHES [WARMUP]\n");
    return 64;
  }
  const char *dir = argv[1];
  long n = atol (argv[2]);
  int batches = atoi (argv[3]);
  long warmup = argc == 5 ? atol (argv[4]) : n;
  if (n <= 0 || batches <= 0 || batches > 1000 || warmup < 0) {
    fprintf (stderr, "bench-mboxlock-raw: N and BATCHES must be positive, BATCHES at most 1000\n");
    return 64;
  }
  char host[256] = "localhost";
  gethostname (host, sizeof host - 1);
  if (strlen (dir) > 1900) {
    fprintf (stderr, "bench-mboxlock-raw: directory name too long\n");
    return 64;
  }
  char mbox[2048], lock[2100], hitch[4096], pidline[32];
  snprintf (mbox, sizeof mbox, "%s/raw-mbox", dir);
  snprintf (lock, sizeof lock, "%s.lock", mbox);
  snprintf (hitch, sizeof hitch, "%s.%ld.%d.%s", lock, (long) time (NULL), (int) getpid (), host);
  int pidlen = snprintf (pidline, sizeof pidline, "%d\n", (int) getpid ());
  int c = open (mbox, O_RDWR | O_CREAT, 0600);
  if (c < 0) die ("create", mbox);
  close (c);

  cycles (warmup, mbox, hitch, lock, pidline, (size_t) pidlen); /* dentries, inode cache, journal */
  long long per[1000], sorted[1000];
  for (int b = 0; b < batches; b++) {
    long long t0 = now_ns ();
    cycles (n, mbox, hitch, lock, pidline, (size_t) pidlen);
    per[b] = (now_ns () - t0) / n;
  }
  memcpy (sorted, per, sizeof (long long) * batches);
  qsort (sorted, batches, sizeof (long long), cmp_ll);
  long long median = batches % 2 ? sorted[batches / 2] : (sorted[batches / 2 - 1] + sorted[batches / 2]) / 2;
  printf ("{\"n\": %ld, \"batches\": %d, \"batch_ns_per_cycle\": [", n, batches);
  for (int b = 0; b < batches; b++) printf ("%s%lld", b ? ", " : "", per[b]);
  printf ("], \"median_ns_per_cycle\": %lld}\n", median);
  return 0;
}

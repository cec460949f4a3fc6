/* The floor for a dot-lock cycle: the bare syscalls of an NFS-safe hitching-post lock and its
 * release, in a loop in one process, with nothing else (no identity lookups, no timers, no checks
 * beyond the return codes). spoollock's in-process figure is compared with this.
 *
 *   bench-dotlock-raw DIR N BATCHES [WARMUP]
 *
 * One cycle:
 *   acquire  open(hitch, O_RDWR|O_CREAT|O_EXCL, 0666), write("PID\n"), fchmod(0666),
 *            link(hitch, lock), fstat(hitch fd) (nlink must be 2), unlink(hitch)
 *   release  lstat(lock), unlink(lock), close(fd)
 * The names are formatted once, outside the loop. WARMUP untimed cycles (default N) warm the dentry
 * and inode caches, then BATCHES timed batches of N cycles each. Prints one JSON object: ns per
 * cycle of each batch, and their median. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define BENCH_PROG "bench-dotlock-raw"
#include "bench_dotlock.h"

static void cycles (long n, const char *hitch, const char *lock, const char *pidline, size_t pidlen)
{
  for (long i = 0; i < n; i++) {
    int fd = dotlock_take (hitch, lock, pidline, pidlen, NULL);
    /* held */
    dotlock_release (lock, fd, hitch);
  }
}

int main (int argc, char **argv)
{
  if (argc != 4 && argc != 5) {
    fprintf (stderr, "usage: bench-dotlock-raw DIR N BATCHES [WARMUP]\n");
    return 64;
  }
  const char *dir = argv[1];
  long n = atol (argv[2]);
  int batches = atoi (argv[3]);
  long warmup = argc == 5 ? atol (argv[4]) : n;
  if (n <= 0 || batches <= 0 || batches > 1000 || warmup < 0) {
    fprintf (stderr, "bench-dotlock-raw: N and BATCHES must be positive, BATCHES at most 1000\n");
    return 64;
  }
  char host[256] = "localhost";
  gethostname (host, sizeof host - 1);
  if (strlen (dir) > 1900) {
    fprintf (stderr, "bench-dotlock-raw: directory name too long\n");
    return 64;
  }
  char lock[2048], hitch[4096], pidline[32];
  snprintf (lock, sizeof lock, "%s/raw-mbox.lock", dir);
  snprintf (hitch, sizeof hitch, "%s.%ld.%d.%s", lock, (long) time (NULL), (int) getpid (), host);
  int pidlen = snprintf (pidline, sizeof pidline, "%d\n", (int) getpid ());

  cycles (warmup, hitch, lock, pidline, (size_t) pidlen); /* dentries, inode cache, journal */
  long long per[1000], sorted[1000];
  for (int b = 0; b < batches; b++) {
    long long t0 = now_ns ();
    cycles (n, hitch, lock, pidline, (size_t) pidlen);
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

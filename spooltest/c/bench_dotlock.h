/* What the C floors of the benchmarks share (bench-dotlock-raw, bench-mboxlock-raw, bench-deliver-raw):
 * the dot-lock sequence as c-client and spoollock take it (a unique hitching post, link(2) to NAME.lock,
 * the link count checked, the post unlinked; released by lstat and unlink of the lock, then closing the
 * post's descriptor), a monotonic clock and the comparison for qsort. One copy, so that every floor pays
 * exactly the same system calls. Each program defines BENCH_PROG (its name, for error messages) first. */
#ifndef BENCH_DOTLOCK_H
#define BENCH_DOTLOCK_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static inline void die (const char *what, const char *path)
{
  fprintf (stderr, "%s: %s %s: %s\n", BENCH_PROG, what, path, strerror (errno));
  exit (1);
}

static inline long long now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline int cmp_ll (const void *a, const void *b)
{
  long long x = *(const long long *) a, y = *(const long long *) b;
  return x < y ? -1 : x > y;
}

/* Takes the dot-lock LOCK through the hitching post HITCH (whose content is PIDLINE); returns the post's
 * descriptor, to be given to dotlock_release. With RETRIES non-NULL a lock held by another process is
 * waited for (100 us between tries, counted there); without, it is an error. */
static inline int dotlock_take (const char *hitch, const char *lock, const char *pidline, size_t pidlen, long *retries)
{
  const struct timespec pause = { 0, 100000 };
  struct stat st;
  int hfd;
  for (;;) {
    hfd = open (hitch, O_RDWR | O_CREAT | O_EXCL, 0666);
    if (hfd < 0) die ("open", hitch);
    if (write (hfd, pidline, pidlen) != (ssize_t) pidlen) die ("write", hitch);
    if (fchmod (hfd, 0666) < 0) die ("fchmod", hitch);
    if (link (hitch, lock) == 0) break;
    if (errno != EEXIST || !retries) die ("link", lock);
    ++*retries;
    if (close (hfd) < 0) die ("close", hitch);
    if (unlink (hitch) < 0) die ("unlink", hitch);
    nanosleep (&pause, NULL);
  }
  if (fstat (hfd, &st) < 0) die ("fstat", hitch);
  if (st.st_nlink != 2) { errno = EPROTO; die ("nlink != 2 after link", hitch); }
  if (unlink (hitch) < 0) die ("unlink", hitch);
  return hfd;
}

static inline void dotlock_release (const char *lock, int hfd, const char *hitch)
{
  struct stat st;
  if (lstat (lock, &st) < 0) die ("lstat", lock);
  if (unlink (lock) < 0) die ("unlink", lock);
  if (close (hfd) < 0) die ("close", hitch);
}

#endif

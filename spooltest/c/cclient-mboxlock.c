/* Locks an mbox with c-client's own unix_lock()/unix_unlock() from libc-client (dot-lock, then
 * open, then flock), exactly as c-client's "unix" driver does before parsing (LOCK_SH) or writing
 * (LOCK_EX).
 *
 *   cclient-mboxlock hold MAILBOX sh|ex [drop-dotlock]
 *       lock, print "locked", hold until stdin closes, unlock. With drop-dotlock the dot-lock is
 *       released at once and only the flock is held (the state of a c-client tenex/mtx reader).
 *
 * Exit 75 when unix_lock() fails to open the mailbox. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <c-client/c-client.h>
#include "cclient_callbacks.h"

/* Exported by libc-client (src/osdep/unix/unix.c) but not declared in its installed headers. */
int unix_lock (char *file, int flags, int mode, DOTLOCK *lock, int op);
void unix_unlock (int fd, MAILSTREAM *stream, DOTLOCK *lock);

int main (int argc, char **argv)
{
  DOTLOCK lock;
  char buf[256];
  int fd, drop;
  if (argc < 4 || strcmp (argv[1], "hold") || (strcmp (argv[3], "sh") && strcmp (argv[3], "ex"))) {
    fprintf (stderr, "usage: cclient-mboxlock hold MAILBOX sh|ex [drop-dotlock]\n");
    return 64;
  }
  drop = argc > 4 && !strcmp (argv[4], "drop-dotlock");
  fd = unix_lock (argv[2], O_RDWR, 0600, &lock, strcmp (argv[3], "ex") ? LOCK_SH : LOCK_EX);
  if (fd < 0) {
    fprintf (stderr, "cclient-mboxlock: unix_lock(%s) failed: %s\n", argv[2], strerror (errno));
    return 75;
  }
  if (drop) dotlock_unlock (&lock);
  printf ("locked %d\n", (int) getpid ());
  fflush (stdout);
  while (read (0, buf, sizeof buf) > 0) ;
  if (drop) {
    flock (fd, LOCK_UN);
    close (fd);
  }
  else unix_unlock (fd, NIL, &lock);
  printf ("unlocked\n");
  return 0;
}

/* Takes a mailbox's dot-lock with c-client's own dotlock_lock()/dotlock_unlock() from libc-client,
 * so tests exercise the real c-client code, not an imitation.
 *
 *   cclient-dotlock run MAILBOX COMMAND [ARGS...]   lock, run COMMAND, unlock; exit with its status
 *   cclient-dotlock hold MAILBOX                     lock, print "locked", hold until stdin closes
 *
 * Exit 75 when dotlock_lock() fails (c-client gives up after its ~5-minute loop). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <c-client/c-client.h>
#include "cclient_callbacks.h"

static int usage (void)
{
  fprintf (stderr, "usage: cclient-dotlock run MAILBOX COMMAND [ARGS...] | hold MAILBOX\n");
  return 64;
}

int main (int argc, char **argv)
{
  DOTLOCK lock;
  if (argc < 3) return usage ();
  if (!dotlock_lock (argv[2], &lock, -1)) {
    fprintf (stderr, "cclient-dotlock: dotlock_lock(%s) failed\n", argv[2]);
    return 75;
  }
  if (!strcmp (argv[1], "hold")) {
    char buf[256];
    printf ("locked\n");
    fflush (stdout);
    while (read (0, buf, sizeof buf) > 0) ;
    dotlock_unlock (&lock);
    printf ("unlocked\n");
    return 0;
  }
  if (strcmp (argv[1], "run") || argc < 4) return usage ();
  pid_t pid = fork ();
  if (pid == 0) {
    execvp (argv[3], argv + 3);
    fprintf (stderr, "cclient-dotlock: cannot run %s: %s\n", argv[3], strerror (errno));
    _exit (127);
  }
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR) ;
  dotlock_unlock (&lock);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

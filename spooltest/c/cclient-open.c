/* Holds a mailbox open read-write with c-client's mail_open(), as imapd does: session lock
 * /tmp/.<dev>.<ino> with our PID in it, and c-client's kiss of death (SIGUSR2) when another
 * process wants the mailbox.
 *
 *   cclient-open MAILBOX default|ignore|yield
 *     default  no SIGUSR2 handler: a kiss of death kills us (as any program without one)
 *     ignore   SIGUSR2 ignored: we keep the mailbox, the requester ends up read-only
 *     yield    on SIGUSR2 close the mailbox and exit 0, as imapd does ("Killed (lost mailbox lock)")
 *
 * Prints "read-write" or "read-only" once open, then holds until stdin closes. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <c-client/c-client.h>
#include "cclient_callbacks.h"

static volatile sig_atomic_t kissed;

static void on_kiss (int sig)
{
  (void) sig;
  kissed = 1;
}

int main (int argc, char **argv)
{
  MAILSTREAM *stream;
  if (argc != 3 || (strcmp (argv[2], "default") && strcmp (argv[2], "ignore") && strcmp (argv[2], "yield"))) {
    fprintf (stderr, "usage: cclient-open MAILBOX default|ignore|yield\n");
    return 64;
  }
#include <c-client/linkage.c>
  if (!strcmp (argv[2], "ignore")) signal (SIGUSR2, SIG_IGN);
  else if (!strcmp (argv[2], "yield")) signal (SIGUSR2, on_kiss);
  if (!(stream = mail_open (NIL, argv[1], NIL))) {
    fprintf (stderr, "cclient-open: mail_open(%s) failed\n", argv[1]);
    return 75;
  }
  printf ("%s\n", stream->rdonly ? "read-only" : "read-write");
  fflush (stdout);
  for (;;) {
    struct pollfd p = { 0, POLLIN, 0 };
    char buf[256];
    if (kissed) {
      printf ("kissed: closing\n");
      fflush (stdout);
      mail_close (stream);
      return 0;
    }
    if (poll (&p, 1, 20) > 0 && read (0, buf, sizeof buf) <= 0) break;
  }
  mail_close (stream);
  printf ("closed\n");
  return 0;
}

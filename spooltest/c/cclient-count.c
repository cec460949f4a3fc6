/* How many messages c-client's own parser finds in a mailbox: opens it read-only with mail_open()
 * (c-client's unix driver parses the whole file under its dot-lock and a shared flock) and prints
 * stream->nmsgs, nothing else. cclient-scan prints a line per message; this is for big mailboxes
 * (the parse benchmark, spooltest/bench/mbox.py).
 *
 *   cclient-count MAILBOX       (run as an unprivileged user; MAILBOX relative to $HOME)
 */
#include <stdio.h>
#include <c-client/c-client.h>
#include "cclient_callbacks.h"

int main (int argc, char **argv)
{
  MAILSTREAM *stream;
  if (argc != 2) {
    fprintf (stderr, "usage: cclient-count MAILBOX\n");
    return 64;
  }
#include <c-client/linkage.c>
  if (!(stream = mail_open (NIL, argv[1], OP_READONLY))) {
    fprintf (stderr, "cclient-count: mail_open(%s) failed\n", argv[1]);
    return 66;
  }
  printf ("%lu\n", stream->nmsgs);
  fflush (stdout);
  mail_close (stream);
  return 0;
}

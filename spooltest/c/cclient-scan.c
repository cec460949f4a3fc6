/* Prints how c-client's own parser splits a mailbox: the message count, then for each message the
 * first line of its text (the tests put a unique marker there), so a Java splitter can be compared
 * with c-client's boundary rule line by line.
 *
 *   cclient-scan MAILBOX        (run as an unprivileged user; MAILBOX relative to $HOME)
 */
#include <stdio.h>
#include <string.h>
#include <c-client/c-client.h>
#include "cclient_callbacks.h"

int main (int argc, char **argv)
{
  MAILSTREAM *stream;
  unsigned long i, len;
  if (argc != 2) {
    fprintf (stderr, "usage: cclient-scan MAILBOX\n");
    return 64;
  }
#include <c-client/linkage.c>
  if (!(stream = mail_open (NIL, argv[1], OP_READONLY))) {
    fprintf (stderr, "cclient-scan: mail_open(%s) failed\n", argv[1]);
    return 66;
  }
  printf ("%lu\n", stream->nmsgs);
  for (i = 1; i <= stream->nmsgs; i++) {
    char *text = mail_fetchtext_full (stream, i, &len, FT_PEEK);
    char *nl = text ? strchr (text, '\n') : NIL;
    int n = nl ? (int) (nl - text) : (int) len;
    if (n > 0 && text[n - 1] == '\r') n--;
    printf ("%.*s\n", n, text ? text : "");
  }
  mail_close (stream);
  return 0;
}

/* Prints how c-client's own parser splits a mailbox: the message count, then for each message the
 * first line of its text (the tests put a unique marker there), so a Java splitter can be compared
 * with c-client's boundary rule line by line.
 *
 *   cclient-scan MAILBOX        (run as an unprivileged user; MAILBOX relative to $HOME)
 *   cclient-scan -w MAILBOX     the same, then "#written-while-fetching" if the file was written
 *                               between the end of mail_open (c-client's parse, under its locks) and
 *                               the last fetch: c-client fetches by offset with no lock held, so a
 *                               rewrite by anyone (c-client's own checkpoint too) makes it read
 *                               the wrong bytes; the torture then does not count what it saw
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <c-client/c-client.h>
#include "cclient_callbacks.h"

int main (int argc, char **argv)
{
  MAILSTREAM *stream;
  unsigned long i, len;
  int watch = argc == 3 && !strcmp (argv[1], "-w");
  char *name = argv[argc - 1], file[MAILTMPLEN];
  struct stat before, after;
  if (argc != 2 && !watch) {
    fprintf (stderr, "usage: cclient-scan [-w] MAILBOX\n");
    return 64;
  }
#include <c-client/linkage.c>
  if (!(stream = mail_open (NIL, name, OP_READONLY))) {
    fprintf (stderr, "cclient-scan: mail_open(%s) failed\n", name);
    return 66;
  }
  if (watch && (!mailboxfile (file, name) || stat (file, &before))) {
    fprintf (stderr, "cclient-scan: cannot stat %s\n", name);
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
  if (watch && (stat (file, &after) || after.st_size != before.st_size
                || after.st_mtim.tv_sec != before.st_mtim.tv_sec || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec))
    printf ("#written-while-fetching\n");
  mail_close (stream);
  return 0;
}

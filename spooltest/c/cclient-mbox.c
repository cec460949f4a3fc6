/* Shows and changes a mailbox exactly as c-client (and so imapd) does, so tests can compare a Java
 * reader/writer with c-client's view of the same file and read what c-client wrote back.
 *
 *   cclient-mbox list [--rw] MAILBOX
 *       Open (read-only unless --rw) and print
 *         uidvalidity <n> uidnext <n> nmsgs <n> driver <name>
 *                                                   (the c-client driver that took the file: unix for
 *                                                   an mbox; phile means it is no mailbox at all)
 *         keywords <kw> ...                         (stream->user_flags[] in index order)
 *         <msgno> <uid> <SAFDT> <rfc822_size> <kw,kw|-> <internal date>
 *       where the flags field has S A F D T (Seen Answered Flagged Deleted Draft) or '-' in each
 *       place and the internal date is mail_date()'s "dd-Mmm-yyyy hh:mm:ss +zzzz" with every space
 *       turned into '_'. Nothing is fetched without FT_PEEK, so \Seen is never set. With --rw the
 *       close is c-client's final checkpoint (UIDs, X-IMAPbase, Status/X-Status/X-Keywords written
 *       if c-client thinks the mailbox dirty), as imapd does at logout.
 *   cclient-mbox flag MAILBOX SEQUENCE FLAGS     mail_setflag   on a read-write stream, then close
 *   cclient-mbox unflag MAILBOX SEQUENCE FLAGS   mail_clearflag on a read-write stream, then close
 *       FLAGS as for IMAP STORE, e.g. '\Seen \Flagged foo'; put in parentheses unless it starts
 *       with '('. Unknown keywords are created as imapd does (stream->kwd_create).
 *   cclient-mbox expunge MAILBOX
 *       mail_expunge on a read-write stream, close, print "before <n> after <m>".
 *   cclient-mbox append MAILBOX FILE [FLAGS [DATE]]
 *       mail_append_full (NIL, MAILBOX, FLAGS, DATE, bytes of FILE as they are); FLAGS as above
 *       (empty = none), DATE as for IMAP APPEND, e.g. " 2-Dec-1992 05:53:22 -0700". The unix
 *       driver drops CRs, writes ">From " for body lines starting "From ", renames Status:/X-UID:/
 *       X-Status:/X-Keywords:/X-IMAP(base): header lines to X-Original-... (only up to the first
 *       line starting with X or x: unix_append_msgs falls through to its end-of-header case
 *       there), and parses FLAGS against a read-only stream, so a keyword the mailbox does not
 *       define yet is dropped ("Unknown flag").
 *
 * Run as an unprivileged user (c-client creates nothing as root); MAILBOX is relative to $HOME.
 * c-client's log lines (mm_log) go to stderr. Exit: 0 ok, 64 usage, 66 mail_open failed,
 * 70 other c-client failure: a read-write open came back read-only, mail_expunge or
 * mail_append_full returned failure, or c-client logged an ERROR (e.g. "Sequence out of range",
 * "Bad flag list", a failed checkpoint at close). WARN lines ("Unknown flag: x", "Invalid flag: x")
 * are printed but, as imapd still answers OK there, do not change the exit status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <c-client/c-client.h>

/* Count what c-client logs while still printing it through the shared callback. */
#define mm_log spooltest_shared_mm_log
#include "cclient_callbacks.h"
#undef mm_log

static unsigned long logged_errors;

void mm_log (char *str, long e)
{
  if (e == ERROR) logged_errors++;
  spooltest_shared_mm_log (str, e);
}

#define EX_OK 0
#define EX_USAGE 64
#define EX_NOINPUT 66
#define EX_SOFTWARE 70

static int usage (void)
{
  fprintf (stderr,
           "usage: cclient-mbox list [--rw] MAILBOX\n"
           "       cclient-mbox flag|unflag MAILBOX SEQUENCE FLAGS\n"
           "       cclient-mbox expunge MAILBOX\n"
           "       cclient-mbox append MAILBOX FILE [FLAGS [DATE]]\n");
  return EX_USAGE;
}

static MAILSTREAM *open_box (char *mailbox, int rw)
{
  MAILSTREAM *stream = mail_open (NIL, mailbox, rw ? NIL : OP_READONLY);
  if (!stream) {
    fprintf (stderr, "cclient-mbox: mail_open(%s) failed\n", mailbox);
    return NIL;
  }
  return stream;
}

/* FLAGS as c-client wants them: a parenthesised list (malloc'ed), or NIL for none. */
static char *flag_list (const char *flags)
{
  char *s;
  size_t n;
  if (!flags || !*flags) return NIL;
  n = strlen (flags);
  if (!(s = malloc (n + 3))) { perror ("cclient-mbox"); exit (EX_SOFTWARE); }
  if (*flags == '(') memcpy (s, flags, n + 1);
  else {
    s[0] = '(';
    memcpy (s + 1, flags, n);
    s[n + 1] = ')';
    s[n + 2] = '\0';
  }
  return s;
}

/* Closes the stream; a failure c-client logs while checkpointing turns into exit 70. */
static int close_box (MAILSTREAM *stream, int status)
{
  unsigned long before = logged_errors;
  mail_close (stream);
  if (status == EX_OK && logged_errors != before) {
    fprintf (stderr, "cclient-mbox: c-client reported an error while closing\n");
    return EX_SOFTWARE;
  }
  return status;
}

static int need_rw (MAILSTREAM *stream, char *mailbox)
{
  if (!stream->rdonly) return 1;
  fprintf (stderr, "cclient-mbox: %s opened read-only, not read-write\n", mailbox);
  return 0;
}

static int do_list (char *mailbox, int rw)
{
  MAILSTREAM *stream;
  unsigned long i, j;
  char date[MAILTMPLEN], *s;
  if (!(stream = open_box (mailbox, rw))) return EX_NOINPUT;
  if (rw && !need_rw (stream, mailbox)) return close_box (stream, EX_SOFTWARE);
  /* The unix driver sets rfc822_size (CRLF size, as IMAP RFC822.SIZE) while parsing and has no
   * "fast" fetch, so this is a no-op there; other drivers fill it here. Any message still without
   * a size gets it from mail_fetchstructure, which reads with FT_PEEK. */
  if (stream->nmsgs) mail_fetch_fast (stream, "1:*", NIL);
  printf ("uidvalidity %lu uidnext %lu nmsgs %lu driver %s\n", stream->uid_validity,
          stream->uid_last + 1, stream->nmsgs, stream->dtb ? stream->dtb->name : "?");
  printf ("keywords");
  for (j = 0; j < NUSERFLAGS; j++)
    if (stream->user_flags[j]) printf (" %s", stream->user_flags[j]);
  printf ("\n");
  for (i = 1; i <= stream->nmsgs; i++) {
    MESSAGECACHE *elt = mail_elt (stream, i);
    int any = 0;
    if (!elt->rfc822_size) {
      mail_fetchstructure_full (stream, i, NIL, FT_PEEK);
      elt = mail_elt (stream, i);
    }
    printf ("%lu %lu %c%c%c%c%c %lu ", i, mail_uid (stream, i),
            elt->seen ? 'S' : '-', elt->answered ? 'A' : '-', elt->flagged ? 'F' : '-',
            elt->deleted ? 'D' : '-', elt->draft ? 'T' : '-', elt->rfc822_size);
    for (j = 0; j < NUSERFLAGS; j++)
      if ((elt->user_flags & (1UL << j)) && stream->user_flags[j]) {
        printf ("%s%s", any ? "," : "", stream->user_flags[j]);
        any = 1;
      }
    mail_date (date, elt);
    for (s = date; *s; s++) if (*s == ' ') *s = '_';
    printf ("%s %s\n", any ? "" : "-", date);
  }
  fflush (stdout);
  return close_box (stream, EX_OK);
}

static int do_flag (char *mailbox, char *sequence, char *flags, int set)
{
  MAILSTREAM *stream;
  char *list = flag_list (flags);
  unsigned long errors;
  if (!list) { fprintf (stderr, "cclient-mbox: no flags given\n"); return EX_USAGE; }
  if (!(stream = open_box (mailbox, 1))) return EX_NOINPUT;
  if (!need_rw (stream, mailbox)) return close_box (stream, EX_SOFTWARE);
  errors = logged_errors;
  /* mail_flag is void: a bad sequence or flag list shows up only as a logged ERROR */
  mail_flag (stream, sequence, list, set ? ST_SET : NIL);
  free (list);
  if (logged_errors != errors) {
    fprintf (stderr, "cclient-mbox: mail_%sflag(%s, %s) failed\n",
             set ? "set" : "clear", sequence, flags);
    return close_box (stream, EX_SOFTWARE);
  }
  return close_box (stream, EX_OK);
}

static int do_expunge (char *mailbox)
{
  MAILSTREAM *stream;
  unsigned long before, errors;
  long ok;
  if (!(stream = open_box (mailbox, 1))) return EX_NOINPUT;
  if (!need_rw (stream, mailbox)) return close_box (stream, EX_SOFTWARE);
  before = stream->nmsgs;
  errors = logged_errors;
  ok = mail_expunge (stream);
  printf ("before %lu after %lu\n", before, stream->nmsgs);
  fflush (stdout);
  if (!ok || logged_errors != errors) {
    fprintf (stderr, "cclient-mbox: mail_expunge failed\n");
    return close_box (stream, EX_SOFTWARE);
  }
  return close_box (stream, EX_OK);
}

static int do_append (char *mailbox, char *file, char *flags, char *date)
{
  FILE *f;
  char *buf = NIL, *list;
  size_t len = 0, cap = 0, n;
  STRING bs;
  unsigned long errors;
  long ok;
  if (!(f = fopen (file, "rb"))) {
    fprintf (stderr, "cclient-mbox: %s: %s\n", file, strerror (errno));
    return EX_NOINPUT;
  }
  do {                          /* the bytes as they are: c-client does any conversion itself */
    if (len == cap && !(buf = realloc (buf, (cap = cap ? 2 * cap : 65536) + 1))) {
      perror ("cclient-mbox");
      return EX_SOFTWARE;
    }
    len += n = fread (buf + len, 1, cap - len, f);
  } while (n);
  if (ferror (f)) {
    fprintf (stderr, "cclient-mbox: %s: read error\n", file);
    return EX_NOINPUT;
  }
  fclose (f);
  buf[len] = '\0';
  list = flag_list (flags);
  INIT (&bs, mail_string, (void *) buf, len);
  errors = logged_errors;
  ok = mail_append_full (NIL, mailbox, list, (date && *date) ? date : NIL, &bs);
  free (list);
  free (buf);
  if (!ok || logged_errors != errors) {
    fprintf (stderr, "cclient-mbox: mail_append_full(%s) failed\n", mailbox);
    return EX_SOFTWARE;
  }
  return EX_OK;
}

int main (int argc, char **argv)
{
  char *cmd;
  if (argc < 2) return usage ();
  cmd = argv[1];
#include <c-client/linkage.c>
  if (!strcmp (cmd, "list")) {
    if (argc == 3 && strcmp (argv[2], "--rw")) return do_list (argv[2], 0);
    if (argc == 4 && !strcmp (argv[2], "--rw")) return do_list (argv[3], 1);
    return usage ();
  }
  if (!strcmp (cmd, "flag") || !strcmp (cmd, "unflag")) {
    if (argc != 5) return usage ();
    return do_flag (argv[2], argv[3], argv[4], !strcmp (cmd, "flag"));
  }
  if (!strcmp (cmd, "expunge")) {
    if (argc != 3) return usage ();
    return do_expunge (argv[2]);
  }
  if (!strcmp (cmd, "append")) {
    if (argc < 4 || argc > 6) return usage ();
    return do_append (argv[2], argv[3], argc > 4 ? argv[4] : NIL, argc > 5 ? argv[5] : NIL);
  }
  return usage ();
}

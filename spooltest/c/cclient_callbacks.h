/* The callbacks every c-client application must define. They log to stderr, prefixed, so tests can
 * see what c-client said ("Mailbox ... lock overridden", "Trying to get mailbox lock ..."). */
#ifndef SPOOLTEST_CCLIENT_CALLBACKS_H
#define SPOOLTEST_CCLIENT_CALLBACKS_H
#include <stdio.h>
#include <c-client/c-client.h>

void mm_searched (MAILSTREAM *s, unsigned long n) { (void) s; (void) n; }
void mm_exists (MAILSTREAM *s, unsigned long n) { (void) s; (void) n; }
void mm_expunged (MAILSTREAM *s, unsigned long n) { (void) s; (void) n; }
void mm_flags (MAILSTREAM *s, unsigned long n) { (void) s; (void) n; }
void mm_notify (MAILSTREAM *s, char *str, long e) { (void) s; fprintf (stderr, "c-client notify(%ld): %s\n", e, str); }
void mm_list (MAILSTREAM *s, int d, char *n, long a) { (void) s; (void) d; (void) n; (void) a; }
void mm_lsub (MAILSTREAM *s, int d, char *n, long a) { (void) s; (void) d; (void) n; (void) a; }
void mm_status (MAILSTREAM *s, char *m, MAILSTATUS *st) { (void) s; (void) m; (void) st; }
void mm_log (char *str, long e) { fprintf (stderr, "c-client log(%ld): %s\n", e, str); fflush (stderr); }
void mm_dlog (char *str) { fprintf (stderr, "c-client debug: %s\n", str); }
void mm_login (NETMBX *mb, char *u, char *p, long t) { (void) mb; (void) t; *u = *p = '\0'; }
void mm_critical (MAILSTREAM *s) { (void) s; }
void mm_nocritical (MAILSTREAM *s) { (void) s; }
long mm_diskerror (MAILSTREAM *s, long code, long serious) { (void) s; (void) serious; fprintf (stderr, "c-client disk error %ld\n", code); return 1; }
void mm_fatal (char *str) { fprintf (stderr, "c-client fatal: %s\n", str); }
#endif

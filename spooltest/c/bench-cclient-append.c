/* c-client's own delivery, for the delivery benchmark (spooltest/bench/mbox.py): mail_append() of one
 * message, N times in a loop, as an MDA built on c-client (tmail, dmail, imapd's APPEND) would call it.
 * Each call is c-client's whole unix_append: it validates the mailbox name and picks the driver,
 * copies the message to a scratch file, takes the dot-lock, opens the mailbox, takes flock LOCK_EX,
 * writes, fsyncs, sets the times, unlocks.
 *
 *   bench-cclient-append MAILBOX N WARMUP [go]
 *       (run as an unprivileged user; MAILBOX relative to $HOME, an existing mbox or an empty file)
 *
 * The message (headers and a plain-text body, LF line ends) is sized so that what c-client writes,
 * with its From_ line, status headers and separating newline, is about 4 KB; its Message-ID
 * <cclient.PID.SEQ@spoollock.bench> is unique across processes. WARMUP untimed appends first; with
 * "go", then "ready" is printed and a line awaited on stdin. Prints one JSON object like
 * bench-deliver-raw's: CLOCK_MONOTONIC at the start and end of the N timed appends, ns per append,
 * appends per second. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <c-client/c-client.h>
#include "cclient_callbacks.h"

/* c-client adds a From_ line (~50 bytes), Status/X-Status/X-Keywords/X-UID (~45) and a newline */
#define RAW_SIZE 3996

static char msg[RAW_SIZE + 1];
static size_t seq_at;

static long long now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void build_message (const char *host)
{
  static const char *body[] = {
    "Hello,\n",
    "this is a delivery benchmark message of about four kilobytes, appended by c-client's\n",
    "mail_append() for spoollock's mbox benchmark. Its lines are plain text of ordinary length.\n",
    "\n",
    "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\n",
    "Sphinx of black quartz, judge my vow. How vexingly quick daft zebras jump!\n",
  };
  time_t now = time (NULL);
  struct tm tm;
  char rfc[64];
  localtime_r (&now, &tm);
  strftime (rfc, sizeof rfc, "%a, %d %b %Y %H:%M:%S %z", &tm);
  int n = snprintf (msg, sizeof msg,
                    "Return-Path: <bench@spoollock.example>\n"
                    "Received: from localhost by %s with LMTP; %s\n"
                    "From: Bench Sender <bench@spoollock.example>\n"
                    "To: spooltest@%s\n"
                    "Subject: delivery benchmark\n"
                    "Date: %s\n"
                    "Message-ID: <cclient.%d.",
                    host, rfc, host, rfc, (int) getpid ());
  seq_at = (size_t) n;
  n += snprintf (msg + n, sizeof msg - n, "0000000000@spoollock.bench>\n"
                 "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n");
  for (int i = 0; n < RAW_SIZE - 200; i = (i + 1) % 6) n += snprintf (msg + n, sizeof msg - n, "%s", body[i]);
  for (int col = 0; n < RAW_SIZE - 1; n++, col++) msg[n] = col % 72 == 71 ? '\n' : "abcdefghijklmnopqrstuvwxyz "[col % 27];
  msg[n++] = '\n';
  msg[n] = '\0';
}

static void appends (long n, long *seq, char *mailbox)
{
  STRING s;
  char d[24];
  for (long i = 0; i < n; i++) {
    snprintf (d, sizeof d, "%010ld", ++*seq);
    memcpy (msg + seq_at, d, 10);
    INIT (&s, mail_string, (void *) msg, RAW_SIZE);
    if (!mail_append (NIL, mailbox, &s)) {
      fprintf (stderr, "bench-cclient-append: mail_append(%s) failed\n", mailbox);
      exit (75);
    }
  }
}

int main (int argc, char **argv)
{
  if ((argc != 4 && argc != 5) || (argc == 5 && strcmp (argv[4], "go"))) {
    fprintf (stderr, "usage: bench-cclient-append MAILBOX N WARMUP [go]\n");
    return 64;
  }
  long n = atol (argv[2]);
  long warmup = atol (argv[3]);
  if (n <= 0 || warmup < 0) {
    fprintf (stderr, "bench-cclient-append: N must be positive, WARMUP not negative\n");
    return 64;
  }
#include <c-client/linkage.c>
  char host[256] = "localhost";
  gethostname (host, sizeof host - 1);
  build_message (host);
  if (strlen (msg) != RAW_SIZE) {
    fprintf (stderr, "bench-cclient-append: message is %zu bytes, not %d\n", strlen (msg), RAW_SIZE);
    return 70;
  }
  long seq = 0;
  appends (warmup, &seq, argv[1]);
  if (argc == 5) {
    char line[64];
    printf ("ready\n");
    fflush (stdout);
    if (!fgets (line, sizeof line, stdin)) return 0;
  }
  long long t0 = now_ns ();
  appends (n, &seq, argv[1]);
  long long t1 = now_ns ();
  printf ("{\"pid\": %d, \"n\": %ld, \"warmup\": %ld, \"raw_message_bytes\": %d, \"t0_ns\": %lld, \"t1_ns\": %lld,"
          " \"ns_per_message\": %lld, \"messages_per_s\": %.1f}\n",
          (int) getpid (), n, warmup, RAW_SIZE, t0, t1, (t1 - t0) / n, n * 1e9 / (double) (t1 - t0));
  return 0;
}

/* powerfs: a FUSE layer that loses, at "power off", what a real disk could lose: for
 * spooltest/powerloss (issue 21). Written for this harness after reading how LazyFS (Jepsen) does it;
 * no code of LazyFS is used.
 *
 *   powerfs BACKING_DIR MOUNTPOINT [fuse options, e.g. -o allow_other]
 *
 * Environment:
 *   POWERFS_KILL_AT=K      after the K-th durable-relevant call (write, truncate, fallocate, fsync,
 *                          fsyncdir, create, mknod, mkdir, unlink, rmdir, rename, link, symlink), counted
 *                          from the mount, SIGKILL the calling process and fail every later call with EIO:
 *                          the machine stops there (0 or unset: never)
 *   POWERFS_VARIANT=all | prefix:SEED | names
 *                          what survives the power cut at unmount (see below; default all)
 *   POWERFS_LOG=FILE       one line per counted call (number, operation, path, offset, length), and what
 *                          the power cut kept and dropped, for replaying a failing crash point
 *
 * The model is ext4 with data=ordered at its worst: metadata operations (names, sizes) go to one ordered
 * journal; an fsync or fdatasync of any file, or fsyncdir, commits every metadata operation made before
 * it (ext4 commits its whole running transaction) and makes that file's data durable; nothing else is
 * durable. Data written but not fsynced may be lost entirely (delayed allocation: not even the size grew),
 * or, with the prefix variant, a page-aligned prefix of each file's unsynced writes survives (partial
 * writeback, in the order the writes were made); with the names variant, every metadata operation
 * survives but no unsynced data (a new file is there, empty). A crash never leaves garbage: ordered mode
 * writes a file's data before the size that exposes it.
 *
 * Implementation: metadata operations are applied to BACKING_DIR at once (so that everything can be read
 * back), each with what undoes it (an unlinked or replaced file is moved to .powerfs-trash/ until its
 * removal is committed). Unsynced data stays in memory per inode and is applied to BACKING_DIR at fsync.
 * At unmount the power is cut: uncommitted metadata operations are undone in reverse order, and the
 * variant decides what of the unsynced data is written. BACKING_DIR is then exactly what a disk would
 * hold after the reboot, and the harness checks it directly. */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define PAGE 4096
#define TRASH ".powerfs-trash"

static char backing[PATH_MAX];
static long kill_at;
static long counted;
static int crashed;
static enum { V_ALL, V_PREFIX, V_NAMES } variant;
static unsigned long seed;
static FILE *logf;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- unsynced data, per inode ---- */

struct dop { int trunc; off_t off; size_t len; char *data; };
struct node {
  ino_t ino;
  char path[PATH_MAX];    /* where the inode is now (kept up to date by rename), for the power cut */
  off_t psize;            /* its size in BACKING_DIR (what is durable) */
  struct dop *ops; size_t n, cap;
  struct node *next;
};
static struct node *nodes;

/* ---- uncommitted metadata operations, in order ---- */

enum { M_CREATE, M_UNLINK, M_RENAME, M_LINK, M_MKDIR, M_RMDIR };
struct mop { int kind; char a[PATH_MAX]; char b[PATH_MAX]; char trash[PATH_MAX]; };
static struct mop *mops; static size_t nm, mcap;
static long trash_seq;

static void logmsg (const char *fmt, ...)
{
  if (!logf) return;
  va_list ap;
  va_start (ap, fmt);
  vfprintf (logf, fmt, ap);
  va_end (ap);
  fputc ('\n', logf);
  fflush (logf);
}

static void setpath (char *dst, const char *src)
{
  size_t n = strnlen (src, PATH_MAX - 1);
  memcpy (dst, src, n);
  dst[n] = 0;
}

static void real (char *out, const char *path)
{
  if (snprintf (out, PATH_MAX, "%s%s", backing, path) >= PATH_MAX) out[0] = 0;   /* too long: fails as ENOENT */
}

static int hidden (const char *path)
{
  return strncmp (path, "/" TRASH, sizeof TRASH) == 0;
}

/* Counts a durable-relevant call; true if the machine has stopped (the call must fail with EIO). */
static int count (const char *op, const char *path, off_t off, size_t len)
{
  if (crashed) return 1;
  counted++;
  logmsg ("%ld %s %s %lld %zu", counted, op, path, (long long) off, len);
  return 0;
}

/* After the call that was counted last: stop the machine if this was the one. */
static void maybe_stop (void)
{
  if (kill_at > 0 && counted >= kill_at && !crashed) {
    crashed = 1;
    pid_t pid = fuse_get_context ()->pid;
    logmsg ("stop after call %ld: SIGKILL to %d", counted, (int) pid);
    if (pid > 0) kill (pid, SIGKILL);
  }
}

static struct node *node_of (ino_t ino, const char *path, int create)
{
  for (struct node *n = nodes; n; n = n->next)
    if (n->ino == ino) { if (path) setpath (n->path, path); return n; }
  if (!create) return NULL;
  struct node *n = calloc (1, sizeof *n);
  n->ino = ino;
  setpath (n->path, path);
  char rp[PATH_MAX];
  struct stat st;
  real (rp, path);
  n->psize = stat (rp, &st) == 0 ? st.st_size : 0;
  n->next = nodes;
  nodes = n;
  return n;
}

static ino_t ino_of (const char *path)
{
  char rp[PATH_MAX];
  struct stat st;
  real (rp, path);
  return lstat (rp, &st) == 0 ? st.st_ino : 0;
}

/* The size the file has with its unsynced operations. */
static off_t logical_size (struct node *n)
{
  off_t s = n->psize;
  for (size_t i = 0; i < n->n; i++) {
    struct dop *d = &n->ops[i];
    if (d->trunc) s = d->off;
    else if (d->off + (off_t) d->len > s) s = d->off + d->len;
  }
  return s;
}

static void add_dop (struct node *n, int trunc, off_t off, const char *buf, size_t len)
{
  if (n->n == n->cap) { n->cap = n->cap ? n->cap * 2 : 8; n->ops = realloc (n->ops, n->cap * sizeof *n->ops); }
  struct dop *d = &n->ops[n->n++];
  d->trunc = trunc; d->off = off; d->len = len; d->data = NULL;
  if (len) { d->data = malloc (len); memcpy (d->data, buf, len); }
}

/* Writes the first K operations of N (the last one cut at LIMIT bytes if LIMIT >= 0) to BACKING_DIR. */
static void apply_ops (struct node *n, size_t k, long long limit)
{
  char rp[PATH_MAX];
  real (rp, n->path);
  int fd = open (rp, O_WRONLY);
  if (fd < 0) { logmsg ("apply: cannot open %s: %s", n->path, strerror (errno)); return; }
  /* the writes happened when they were made (pf_write set the times then); applying them now must not
   * move the times again, over a utimens made since (Maildir keeps a message's date as its mtime) */
  struct stat before;
  int keep = fstat (fd, &before) == 0;
  for (size_t i = 0; i < k; i++) {
    struct dop *d = &n->ops[i];
    if (d->trunc) { if (ftruncate (fd, d->off) != 0) logmsg ("apply: ftruncate %s failed", n->path); continue; }
    size_t len = d->len;
    if (i == k - 1 && limit >= 0 && (size_t) limit < len) len = limit;
    if (pwrite (fd, d->data, len, d->off) != (ssize_t) len) logmsg ("apply: pwrite %s failed", n->path);
  }
  if (keep) {
    struct timespec t[2] = { before.st_atim, before.st_mtim };
    futimens (fd, t);
  }
  fsync (fd);
  struct stat st;
  if (fstat (fd, &st) == 0) n->psize = st.st_size;
  close (fd);
}

static void drop_ops (struct node *n)
{
  for (size_t i = 0; i < n->n; i++) free (n->ops[i].data);
  n->n = 0;
}

/* A file just created is a new inode: whatever is recorded under its number belonged to a file that
 * was removed (its trash emptied by a commit) and whose number the backing filesystem gave out again.
 * Kept, that record's unsynced writes were applied to the new file at its fsync (a migration's
 * dovecot-uidlist gained the tail of a removed dot-lock). */
static void forget_node (ino_t ino)
{
  for (struct node **p = &nodes; *p; p = &(*p)->next)
    if ((*p)->ino == ino) {
      struct node *n = *p;
      *p = n->next;
      drop_ops (n);
      free (n->ops);
      free (n);
      return;
    }
}

static void add_mop (int kind, const char *a, const char *b, const char *trash)
{
  if (nm == mcap) { mcap = mcap ? mcap * 2 : 16; mops = realloc (mops, mcap * sizeof *mops); }
  struct mop *m = &mops[nm++];
  m->kind = kind;
  setpath (m->a, a ? a : "");
  setpath (m->b, b ? b : "");
  setpath (m->trash, trash ? trash : "");
}

/* Moves PATH (in BACKING_DIR) into the trash; fills TRASHED with its trash path (virtual). */
static int to_trash (const char *path, char *trashed)
{
  char from[PATH_MAX], to[PATH_MAX];
  snprintf (trashed, PATH_MAX, "/" TRASH "/%ld", ++trash_seq);
  real (from, path);
  real (to, trashed);
  return rename (from, to) == 0 ? 0 : -errno;
}

static void remove_real (const char *path)
{
  char rp[PATH_MAX];
  struct stat st;
  real (rp, path);
  if (lstat (rp, &st) == 0 && S_ISDIR (st.st_mode)) rmdir (rp); else unlink (rp);
}

/* An fsync: every metadata operation so far becomes durable (its trash emptied). */
static void commit_metadata (void)
{
  for (size_t i = 0; i < nm; i++)
    if (mops[i].trash[0]) remove_real (mops[i].trash);
  nm = 0;
}

static void rename_real (const char *a, const char *b)
{
  char ra[PATH_MAX], rb[PATH_MAX];
  real (ra, a);
  real (rb, b);
  if (rename (ra, rb) != 0) logmsg ("undo: rename %s %s failed: %s", a, b, strerror (errno));
}

/* The power cut: what was not durable is lost (as the variant says). */
static void power_cut (void)
{
  logmsg ("power cut: variant %s, %zu uncommitted metadata operation(s)",
          variant == V_ALL ? "all" : variant == V_PREFIX ? "prefix" : "names", nm);
  if (variant == V_NAMES) {
    commit_metadata ();
  } else {
    for (size_t i = nm; i-- > 0; ) {
      struct mop *m = &mops[i];
      switch (m->kind) {
      case M_CREATE: case M_LINK: case M_MKDIR: remove_real (m->a); logmsg ("undo: %s gone", m->a); break;
      case M_UNLINK: case M_RMDIR: rename_real (m->trash, m->a); logmsg ("undo: %s back", m->a); break;
      case M_RENAME:
        rename_real (m->b, m->a);
        if (m->trash[0]) rename_real (m->trash, m->b);
        logmsg ("undo: rename %s -> %s", m->a, m->b);
        break;
      }
    }
    nm = 0;
  }
  for (struct node *n = nodes; n; n = n->next) {
    if (n->n == 0) continue;
    if (variant == V_PREFIX) {
      /* a random number of the writes, in order, the last cut at a page boundary of the file */
      size_t k = (size_t) (rand_r ((unsigned *) &seed) % (n->n + 1));
      long long limit = -1;
      if (k > 0 && !n->ops[k - 1].trunc) {
        struct dop *d = &n->ops[k - 1];
        off_t end = d->off + d->len;
        off_t cut = d->off + (off_t) (rand_r ((unsigned *) &seed) % (d->len + 1));
        cut = cut / PAGE * PAGE;
        if (cut < d->off) cut = d->off;
        limit = cut >= end ? -1 : (long long) (cut - d->off);
      }
      logmsg ("power cut: %s keeps %zu of %zu unsynced write(s)%s", n->path, k, n->n, limit >= 0 ? ", the last cut" : "");
      struct stat st;
      char rp[PATH_MAX];
      real (rp, n->path);
      if (k > 0 && stat (rp, &st) == 0) apply_ops (n, k, limit);
    } else {
      logmsg ("power cut: %s loses %zu unsynced write(s)", n->path, n->n);
    }
    drop_ops (n);
  }
}

/* ---- FUSE operations ---- */

static void *pf_init (struct fuse_conn_info *conn, struct fuse_config *cfg)
{
  (void) conn;
  cfg->use_ino = 1;        /* c-client names its session lock after the inode */
  cfg->entry_timeout = 0;
  cfg->attr_timeout = 0;
  cfg->negative_timeout = 0;
  cfg->direct_io = 1;      /* every read and write comes here: nothing is cached above us */
  return NULL;
}

static void pf_destroy (void *data)
{
  (void) data;
  pthread_mutex_lock (&mu);
  power_cut ();
  pthread_mutex_unlock (&mu);
}

static int pf_getattr (const char *path, struct stat *st, struct fuse_file_info *fi)
{
  (void) fi;
  char rp[PATH_MAX];
  real (rp, path);
  if (lstat (rp, st) != 0) return -errno;
  pthread_mutex_lock (&mu);
  struct node *n = S_ISREG (st->st_mode) ? node_of (st->st_ino, NULL, 0) : NULL;
  if (n && n->n) st->st_size = logical_size (n);
  pthread_mutex_unlock (&mu);
  return 0;
}

static int pf_access (const char *path, int mask)
{
  char rp[PATH_MAX];
  real (rp, path);
  return access (rp, mask) == 0 ? 0 : -errno;
}

static int pf_readlink (const char *path, char *buf, size_t size)
{
  char rp[PATH_MAX];
  real (rp, path);
  ssize_t r = readlink (rp, buf, size - 1);
  if (r < 0) return -errno;
  buf[r] = 0;
  return 0;
}

static int pf_readdir (const char *path, void *buf, fuse_fill_dir_t filler, off_t off, struct fuse_file_info *fi,
                       enum fuse_readdir_flags flags)
{
  (void) off; (void) fi; (void) flags;
  char rp[PATH_MAX];
  real (rp, path);
  DIR *d = opendir (rp);
  if (!d) return -errno;
  for (struct dirent *e; (e = readdir (d)); ) {
    if (strcmp (path, "/") == 0 && strcmp (e->d_name, TRASH) == 0) continue;
    struct stat st = { 0 };
    st.st_ino = e->d_ino;
    st.st_mode = (mode_t) e->d_type << 12;
    if (filler (buf, e->d_name, &st, 0, 0)) break;
  }
  closedir (d);
  return 0;
}

/* Files are the caller's (the daemon runs as root with allow_other and default_permissions). */
static void own (const char *rp)
{
  struct fuse_context *c = fuse_get_context ();
  if (lchown (rp, c->uid, c->gid) != 0) { /* not root: keep ours */ }
}

#define STOPPED_IF(cond) do { if (cond) { pthread_mutex_unlock (&mu); return -EIO; } } while (0)

static int pf_mkdir (const char *path, mode_t mode)
{
  char rp[PATH_MAX];
  real (rp, path);
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("mkdir", path, 0, 0));
  int r = mkdir (rp, mode) == 0 ? 0 : -errno;
  if (r == 0) { own (rp); add_mop (M_MKDIR, path, NULL, NULL); }
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static int pf_unlink (const char *path)
{
  char trashed[PATH_MAX];
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("unlink", path, 0, 0));
  int r = to_trash (path, trashed);
  if (r == 0) add_mop (M_UNLINK, path, NULL, trashed);
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static int pf_rmdir (const char *path)
{
  char rp[PATH_MAX], trashed[PATH_MAX];
  real (rp, path);
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("rmdir", path, 0, 0));
  DIR *d = opendir (rp);
  int empty = 1;
  if (!d) { int e = errno; pthread_mutex_unlock (&mu); return -e; }
  for (struct dirent *e; (e = readdir (d)); )
    if (strcmp (e->d_name, ".") && strcmp (e->d_name, "..")) { empty = 0; break; }
  closedir (d);
  int r = empty ? to_trash (path, trashed) : -ENOTEMPTY;
  if (r == 0) add_mop (M_RMDIR, path, NULL, trashed);
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static int pf_symlink (const char *from, const char *to)
{
  char rp[PATH_MAX];
  real (rp, to);
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("symlink", to, 0, 0));
  int r = symlink (from, rp) == 0 ? 0 : -errno;
  if (r == 0) { own (rp); add_mop (M_CREATE, to, NULL, NULL); }
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static int pf_rename (const char *from, const char *to, unsigned int flags)
{
  if (flags) return -EINVAL;
  if (hidden (from) || hidden (to)) return -EPERM;
  char ra[PATH_MAX], rb[PATH_MAX], trashed[PATH_MAX] = "";
  struct stat st;
  real (ra, from);
  real (rb, to);
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("rename", from, 0, 0));
  int r = 0;
  if (lstat (ra, &st) != 0) r = -errno;
  else if (lstat (rb, &st) == 0) r = to_trash (to, trashed);   /* the file it replaces, kept until committed */
  if (r == 0 && rename (ra, rb) != 0) {
    r = -errno;
    if (trashed[0]) rename_real (trashed, to);
  }
  if (r == 0) {
    add_mop (M_RENAME, from, to, trashed[0] ? trashed : NULL);
    ino_t ino = ino_of (to);
    if (ino) node_of (ino, to, 0);   /* unsynced data follows its inode */
  }
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static int pf_link (const char *from, const char *to)
{
  char ra[PATH_MAX], rb[PATH_MAX];
  real (ra, from);
  real (rb, to);
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("link", to, 0, 0));
  int r = link (ra, rb) == 0 ? 0 : -errno;
  if (r == 0) add_mop (M_LINK, to, NULL, NULL);
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static int pf_chmod (const char *path, mode_t mode, struct fuse_file_info *fi)
{
  (void) fi;
  char rp[PATH_MAX];
  real (rp, path);
  return chmod (rp, mode) == 0 ? 0 : -errno;
}

static int pf_chown (const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
  (void) fi;
  char rp[PATH_MAX];
  real (rp, path);
  return lchown (rp, uid, gid) == 0 ? 0 : -errno;
}

static int pf_truncate (const char *path, off_t size, struct fuse_file_info *fi)
{
  (void) fi;
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("truncate", path, size, 0));
  ino_t ino = ino_of (path);
  int r = ino ? 0 : -ENOENT;
  if (r == 0) add_dop (node_of (ino, path, 1), 1, size, NULL, 0);
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static int pf_utimens (const char *path, const struct timespec ts[2], struct fuse_file_info *fi)
{
  (void) fi;
  char rp[PATH_MAX];
  real (rp, path);
  return utimensat (AT_FDCWD, rp, ts, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
}

static int pf_create (const char *path, mode_t mode, struct fuse_file_info *fi)
{
  char rp[PATH_MAX];
  real (rp, path);
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("create", path, 0, 0));
  int fd = open (rp, (fi->flags & ~O_TRUNC) | O_CREAT | O_EXCL, mode);
  int r = 0;
  if (fd < 0 && errno == EEXIST && !(fi->flags & O_EXCL)) {
    fd = open (rp, fi->flags & ~(O_TRUNC | O_CREAT));     /* it exists: an open, not a creation */
    if (fd < 0) r = -errno;
  } else if (fd < 0) {
    r = -errno;
  } else {
    own (rp);
    struct stat nst;
    if (fstat (fd, &nst) == 0) forget_node (nst.st_ino);
    add_mop (M_CREATE, path, NULL, NULL);
  }
  if (r == 0) {
    fi->fh = fd;
    if (fi->flags & O_TRUNC) add_dop (node_of (ino_of (path), path, 1), 1, 0, NULL, 0);
  }
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static int pf_open (const char *path, struct fuse_file_info *fi)
{
  char rp[PATH_MAX];
  real (rp, path);
  pthread_mutex_lock (&mu);
  int trunc = fi->flags & O_TRUNC;
  if (trunc) STOPPED_IF (count ("truncate", path, 0, 0));
  int fd = open (rp, fi->flags & ~(O_TRUNC | O_APPEND));    /* writes arrive with their offsets */
  int r = fd < 0 ? -errno : 0;
  if (r == 0) {
    fi->fh = fd;
    if (trunc) add_dop (node_of (ino_of (path), path, 1), 1, 0, NULL, 0);
  }
  if (trunc) maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static int pf_read (const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
  (void) path;
  struct stat st;
  pthread_mutex_lock (&mu);
  if (crashed) { pthread_mutex_unlock (&mu); return -EIO; }
  if (fstat (fi->fh, &st) != 0) { int e = errno; pthread_mutex_unlock (&mu); return -e; }
  struct node *n = node_of (st.st_ino, NULL, 0);
  off_t size_now = n && n->n ? logical_size (n) : st.st_size;
  if (off >= size_now) { pthread_mutex_unlock (&mu); return 0; }
  if (off + (off_t) size > size_now) size = size_now - off;
  ssize_t r = pread (fi->fh, buf, size, off);
  if (r < 0) { int e = errno; pthread_mutex_unlock (&mu); return -e; }
  if ((size_t) r < size) memset (buf + r, 0, size - r);     /* beyond what is durable: the unsynced ops fill it */
  if (n) {
    off_t cur = n->psize;
    for (size_t i = 0; i < n->n; i++) {
      struct dop *d = &n->ops[i];
      if (d->trunc) {
        if (d->off < off + (off_t) size && d->off < cur) {     /* bytes cut off read as zeros if written again */
          off_t z = d->off > off ? d->off : off;
          memset (buf + (z - off), 0, (off + size) - z);
        }
        cur = d->off;
        continue;
      }
      off_t a = d->off > off ? d->off : off;
      off_t b = d->off + (off_t) d->len < off + (off_t) size ? d->off + (off_t) d->len : off + (off_t) size;
      if (a < b) memcpy (buf + (a - off), d->data + (a - d->off), b - a);
      if (d->off + (off_t) d->len > cur) cur = d->off + d->len;
    }
  }
  pthread_mutex_unlock (&mu);
  return (int) size;
}

static int pf_write (const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
  struct stat st;
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("write", path, off, size));
  int r = fstat (fi->fh, &st) == 0 ? (int) size : -errno;
  if (r > 0) {
    add_dop (node_of (st.st_ino, path, 1), 0, off, buf, size);
    struct timespec t[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
    futimens (fi->fh, t); /* a write sets the mtime now, as the kernel would (the data itself waits) */
  }
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static int pf_statfs (const char *path, struct statvfs *st)
{
  (void) path;
  return statvfs (backing, st) == 0 ? 0 : -errno;
}

static int pf_release (const char *path, struct fuse_file_info *fi)
{
  (void) path;
  close (fi->fh);
  return 0;
}

static int pf_fsync (const char *path, int datasync, struct fuse_file_info *fi)
{
  (void) datasync;
  struct stat st;
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("fsync", path, 0, 0));
  int r = fstat (fi->fh, &st) == 0 ? 0 : -errno;
  if (r == 0) {
    commit_metadata ();
    struct node *n = node_of (st.st_ino, path, 0);
    if (n && n->n) { apply_ops (n, n->n, -1); drop_ops (n); }
    else fsync (fi->fh);
  }
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static int pf_fsyncdir (const char *path, int datasync, struct fuse_file_info *fi)
{
  (void) datasync; (void) fi;
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("fsyncdir", path, 0, 0));
  commit_metadata ();
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return 0;
}

static int pf_fallocate (const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
  struct stat st;
  pthread_mutex_lock (&mu);
  STOPPED_IF (count ("fallocate", path, off, len));
  int r = 0;
  /* KEEP_SIZE reserves space and changes nothing visible; otherwise the file grows (zeros), unsynced */
  if (!(mode & FALLOC_FL_KEEP_SIZE) && fstat (fi->fh, &st) == 0) {
    struct node *n = node_of (st.st_ino, path, 1);
    if (off + len > logical_size (n)) {
      char *z = calloc (1, len);
      add_dop (n, 0, off, z, len);
      free (z);
    }
  } else if (fallocate (fi->fh, mode, off, len) != 0) {
    r = -errno;
  }
  maybe_stop ();
  pthread_mutex_unlock (&mu);
  return r;
}

static const struct fuse_operations ops = {
  .init = pf_init, .destroy = pf_destroy, .getattr = pf_getattr, .access = pf_access,
  .readlink = pf_readlink, .readdir = pf_readdir, .mkdir = pf_mkdir, .symlink = pf_symlink,
  .unlink = pf_unlink, .rmdir = pf_rmdir, .rename = pf_rename, .link = pf_link, .chmod = pf_chmod,
  .chown = pf_chown, .truncate = pf_truncate, .utimens = pf_utimens, .open = pf_open,
  .create = pf_create, .read = pf_read, .write = pf_write, .statfs = pf_statfs,
  .release = pf_release, .fsync = pf_fsync, .fsyncdir = pf_fsyncdir, .fallocate = pf_fallocate,
};

int main (int argc, char **argv)
{
  if (argc < 3) {
    fprintf (stderr, "usage: powerfs BACKING_DIR MOUNTPOINT [fuse options]\n");
    return 64;
  }
  if (!realpath (argv[1], backing)) { perror (argv[1]); return 66; }
  char trash[PATH_MAX];
  if (snprintf (trash, sizeof trash, "%s/" TRASH, backing) >= (int) sizeof trash) return 64;
  mkdir (trash, 0700);
  const char *k = getenv ("POWERFS_KILL_AT");
  kill_at = k ? atol (k) : 0;
  const char *v = getenv ("POWERFS_VARIANT");
  if (!v || !strcmp (v, "all")) variant = V_ALL;
  else if (!strcmp (v, "names")) variant = V_NAMES;
  else if (!strncmp (v, "prefix:", 7)) { variant = V_PREFIX; seed = strtoul (v + 7, NULL, 10); }
  else { fprintf (stderr, "powerfs: POWERFS_VARIANT must be all, prefix:SEED or names\n"); return 64; }
  const char *l = getenv ("POWERFS_LOG");
  if (l) logf = fopen (l, "a");
  /* fuse_main gets: program, mountpoint, the rest; single-threaded (-s) keeps the order of calls simple */
  char **fargv = calloc (argc + 3, sizeof *fargv);
  int fargc = 0;
  fargv[fargc++] = argv[0];
  fargv[fargc++] = argv[2];
  fargv[fargc++] = "-s";
  fargv[fargc++] = "-f";
  for (int i = 3; i < argc; i++) fargv[fargc++] = argv[i];
  return fuse_main (fargc, fargv, &ops, NULL);
}

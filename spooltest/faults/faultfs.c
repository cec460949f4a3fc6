/* faultfs: a passthrough FUSE filesystem that returns EIO where it is told to, for the faults
 * harness (spooltest/faults/main). The kernel here has no device-mapper (no dm "error"/"flakey"
 * target), so I/O errors are injected one layer up, in userspace, on chosen files only.
 *
 *   faultfs BACKING_DIR RULES_FILE MOUNTPOINT [fuse options, e.g. -o allow_other]
 *
 * RULES_FILE is re-read whenever its mtime or size changes, so a test can arm a fault while a
 * process is running. One rule per line ('#' comments):
 *   write NAME LIMIT   a write to a file whose last path component is NAME stores the bytes below
 *                      offset LIMIT and fails beyond it: a write that crosses LIMIT is cut short
 *                      there (the caller sees a short write, its next write EIO), as a disk that
 *                      dies mid-write leaves a partial record behind
 *   fsync NAME         fsync/fdatasync of NAME fails with EIO (the data may or may not be stored)
 *   read NAME LIMIT    reads of NAME at or beyond offset LIMIT fail with EIO
 *   create NAME        creating NAME (open O_CREAT of a new file, link or rename onto NAME, mkdir)
 *                      fails with EIO
 *   stale NAME COUNT   the next COUNT opens of an existing NAME fail with ESTALE, as an NFS client's
 *                      do when another client removed or replaced the file; Linux's VFS retries a
 *                      stale open once with a fresh lookup, so COUNT 2 gives the caller one ESTALE.
 *                      Each refusal appends "stale NAME" to RULES_FILE.hits, so a test can tell
 *                      that its fault was met.
 * NAME may end in '*' to match a prefix (e.g. ".mbox.spoollock-*").
 *
 * Files are created with the caller's uid/gid (the daemon runs as root with allow_other and
 * default_permissions, so the kernel checks permissions as on a normal filesystem). Inode numbers
 * are passed through (use_ino), as c-client's session lock names /tmp/.<dev>.<ino> from them.
 * flock is not implemented here, so the kernel keeps flock locks locally, which is all a
 * single-host test needs. */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_RULES 32

struct rule { char op[16]; char name[256]; long long limit; };

static char backing[PATH_MAX];
static char rules_path[PATH_MAX];
static struct rule rules[MAX_RULES];
static int nrules;
static struct timespec rules_mtime;
static off_t rules_size = -1;

static void load_rules (void)
{
  struct stat st;
  if (stat (rules_path, &st) != 0) { nrules = 0; rules_size = -1; return; }
  if (st.st_size == rules_size && st.st_mtim.tv_sec == rules_mtime.tv_sec && st.st_mtim.tv_nsec == rules_mtime.tv_nsec) return;
  rules_size = st.st_size;
  rules_mtime = st.st_mtim;
  nrules = 0;
  FILE *f = fopen (rules_path, "r");
  if (!f) return;
  char line[512];
  while (nrules < MAX_RULES && fgets (line, sizeof line, f)) {
    struct rule r = { "", "", 0 };
    if (line[0] == '#') continue;
    int n = sscanf (line, "%15s %255s %lld", r.op, r.name, &r.limit);
    if (n >= 2) rules[nrules++] = r;
  }
  fclose (f);
}

static const char *base (const char *path)
{
  const char *s = strrchr (path, '/');
  return s ? s + 1 : path;
}

/* The rule for operation op on path, or NULL. */
static struct rule *rule_for (const char *op, const char *path)
{
  load_rules ();
  for (int i = 0; i < nrules; i++)
    if (!strcmp (rules[i].op, op) && !fnmatch (rules[i].name, base (path), 0)) return &rules[i];
  return NULL;
}

static void real (char *out, const char *path)
{
  snprintf (out, PATH_MAX, "%s%s", backing, path);
}

/* New files belong to the process that asked, not to the daemon (root). */
static void own (const char *rp, int fd)
{
  struct fuse_context *c = fuse_get_context ();
  if (fd >= 0) { if (fchown (fd, c->uid, c->gid) != 0) { /* best effort */ } }
  else if (lchown (rp, c->uid, c->gid) != 0) { /* best effort */ }
}

static void *ff_init (struct fuse_conn_info *conn, struct fuse_config *cfg)
{
  (void) conn;
  cfg->use_ino = 1;
  cfg->readdir_ino = 1;
  /* no caching of attributes or names: chmod/chown done on the backing directory by the test (or
   * another mount) must be seen at once, and ctime/mtime judgements must see fresh values */
  cfg->entry_timeout = 0;
  cfg->attr_timeout = 0;
  cfg->negative_timeout = 0;
  cfg->hard_remove = 1;
  return NULL;
}

static int ff_getattr (const char *path, struct stat *st, struct fuse_file_info *fi)
{
  int r;
  if (fi) r = fstat (fi->fh, st);
  else { char rp[PATH_MAX]; real (rp, path); r = lstat (rp, st); }
  return r == -1 ? -errno : 0;
}

static int ff_access (const char *path, int mask)
{
  char rp[PATH_MAX]; real (rp, path);
  return access (rp, mask) == -1 ? -errno : 0;
}

static int ff_readlink (const char *path, char *buf, size_t size)
{
  char rp[PATH_MAX]; real (rp, path);
  ssize_t n = readlink (rp, buf, size - 1);
  if (n == -1) return -errno;
  buf[n] = '\0';
  return 0;
}

static int ff_readdir (const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
  (void) off; (void) fi; (void) flags;
  char rp[PATH_MAX]; real (rp, path);
  DIR *d = opendir (rp);
  if (!d) return -errno;
  struct dirent *e;
  while ((e = readdir (d))) {
    struct stat st = { 0 };
    st.st_ino = e->d_ino;
    st.st_mode = e->d_type << 12;
    if (filler (buf, e->d_name, &st, 0, 0)) break;
  }
  closedir (d);
  return 0;
}

static int ff_mkdir (const char *path, mode_t mode)
{
  if (rule_for ("create", path)) return -EIO;
  char rp[PATH_MAX]; real (rp, path);
  if (mkdir (rp, mode) == -1) return -errno;
  own (rp, -1);
  return 0;
}

static int ff_unlink (const char *path)
{
  char rp[PATH_MAX]; real (rp, path);
  return unlink (rp) == -1 ? -errno : 0;
}

static int ff_rmdir (const char *path)
{
  char rp[PATH_MAX]; real (rp, path);
  return rmdir (rp) == -1 ? -errno : 0;
}

static int ff_symlink (const char *from, const char *to)
{
  if (rule_for ("create", to)) return -EIO;
  char rp[PATH_MAX]; real (rp, to);
  if (symlink (from, rp) == -1) return -errno;
  own (rp, -1);
  return 0;
}

static int ff_rename (const char *from, const char *to, unsigned int flags)
{
  if (rule_for ("create", to)) return -EIO;
  char a[PATH_MAX], b[PATH_MAX]; real (a, from); real (b, to);
  return renameat2 (AT_FDCWD, a, AT_FDCWD, b, flags) == -1 ? -errno : 0;
}

static int ff_link (const char *from, const char *to)
{
  if (rule_for ("create", to)) return -EIO;
  char a[PATH_MAX], b[PATH_MAX]; real (a, from); real (b, to);
  return link (a, b) == -1 ? -errno : 0;
}

static int ff_chmod (const char *path, mode_t mode, struct fuse_file_info *fi)
{
  int r;
  if (fi) r = fchmod (fi->fh, mode);
  else { char rp[PATH_MAX]; real (rp, path); r = chmod (rp, mode); }
  return r == -1 ? -errno : 0;
}

static int ff_chown (const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
  int r;
  if (fi) r = fchown (fi->fh, uid, gid);
  else { char rp[PATH_MAX]; real (rp, path); r = lchown (rp, uid, gid); }
  return r == -1 ? -errno : 0;
}

static int ff_truncate (const char *path, off_t size, struct fuse_file_info *fi)
{
  int r;
  if (fi) r = ftruncate (fi->fh, size);
  else { char rp[PATH_MAX]; real (rp, path); r = truncate (rp, size); }
  return r == -1 ? -errno : 0;
}

static int ff_utimens (const char *path, const struct timespec ts[2], struct fuse_file_info *fi)
{
  int r;
  if (fi) r = futimens (fi->fh, ts);
  else { char rp[PATH_MAX]; real (rp, path); r = utimensat (AT_FDCWD, rp, ts, AT_SYMLINK_NOFOLLOW); }
  return r == -1 ? -errno : 0;
}

static int ff_create (const char *path, mode_t mode, struct fuse_file_info *fi)
{
  if (rule_for ("create", path)) return -EIO;
  char rp[PATH_MAX]; real (rp, path);
  int fd = open (rp, fi->flags | O_NOFOLLOW, mode);
  if (fd == -1) return -errno;
  own (rp, fd);
  fi->fh = fd;
  /* the write rules need to see every write as the caller made it, not page-cache pages */
  if (rule_for ("write", path) || rule_for ("read", path)) fi->direct_io = 1;
  return 0;
}

/* One refusal by a "stale" rule, counted down and written to RULES_FILE.hits. */
static int stale_hit (const char *path)
{
  struct rule *r = rule_for ("stale", path);
  if (!r || __atomic_sub_fetch (&r->limit, 1, __ATOMIC_SEQ_CST) < 0) return 0;
  char hp[PATH_MAX + 8];
  snprintf (hp, sizeof hp, "%s.hits", rules_path);
  FILE *h = fopen (hp, "a");
  if (h) { fprintf (h, "stale %s\n", base (path)); fclose (h); }
  return 1;
}

static int ff_open (const char *path, struct fuse_file_info *fi)
{
  if (stale_hit (path)) return -ESTALE;
  char rp[PATH_MAX]; real (rp, path);
  int fd = open (rp, fi->flags | O_NOFOLLOW);
  if (fd == -1) return -errno;
  fi->fh = fd;
  if (rule_for ("write", path) || rule_for ("read", path)) fi->direct_io = 1;
  return 0;
}

static int ff_read (const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
  struct rule *r = rule_for ("read", path);
  if (r && off + (off_t) size > r->limit) {
    if (off >= r->limit) return -EIO;
    size = r->limit - off;
  }
  ssize_t n = pread (fi->fh, buf, size, off);
  return n == -1 ? -errno : (int) n;
}

static int ff_write (const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
  struct rule *r = rule_for ("write", path);
  if (r && off + (off_t) size > r->limit) {
    if (off >= r->limit) return -EIO;
    size = r->limit - off; /* the part before the limit is stored: a short write */
  }
  ssize_t n = pwrite (fi->fh, buf, size, off);
  return n == -1 ? -errno : (int) n;
}

static int ff_statfs (const char *path, struct statvfs *st)
{
  char rp[PATH_MAX]; real (rp, path);
  return statvfs (rp, st) == -1 ? -errno : 0;
}

static int ff_flush (const char *path, struct fuse_file_info *fi)
{
  (void) path;
  /* close(dup(fd)) so that errors the backing filesystem reports at close are seen */
  int fd = dup (fi->fh);
  if (fd == -1) return -errno;
  return close (fd) == -1 ? -errno : 0;
}

static int ff_release (const char *path, struct fuse_file_info *fi)
{
  (void) path;
  close (fi->fh);
  return 0;
}

static int ff_fsync (const char *path, int datasync, struct fuse_file_info *fi)
{
  if (rule_for ("fsync", path)) return -EIO;
  int r = datasync ? fdatasync (fi->fh) : fsync (fi->fh);
  return r == -1 ? -errno : 0;
}

static int ff_fallocate (const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
  (void) path;
  return fallocate (fi->fh, mode, off, len) == -1 ? -errno : 0;
}

static const struct fuse_operations ops = {
  .init = ff_init,
  .getattr = ff_getattr,
  .access = ff_access,
  .readlink = ff_readlink,
  .readdir = ff_readdir,
  .mkdir = ff_mkdir,
  .symlink = ff_symlink,
  .unlink = ff_unlink,
  .rmdir = ff_rmdir,
  .rename = ff_rename,
  .link = ff_link,
  .chmod = ff_chmod,
  .chown = ff_chown,
  .truncate = ff_truncate,
  .utimens = ff_utimens,
  .open = ff_open,
  .create = ff_create,
  .read = ff_read,
  .write = ff_write,
  .statfs = ff_statfs,
  .flush = ff_flush,
  .release = ff_release,
  .fsync = ff_fsync,
  .fallocate = ff_fallocate,
};

int main (int argc, char **argv)
{
  if (argc < 4) {
    fprintf (stderr, "usage: faultfs BACKING_DIR RULES_FILE MOUNTPOINT [fuse options]\n");
    return 64;
  }
  if (!realpath (argv[1], backing) || !realpath (argv[2], rules_path)) {
    perror ("faultfs: realpath");
    return 66;
  }
  umask (0);
  /* fuse_main sees: program, mountpoint, options */
  argv[2] = argv[0];
  return fuse_main (argc - 2, argv + 2, &ops, NULL);
}

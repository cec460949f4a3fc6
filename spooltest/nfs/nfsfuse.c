/*
 * nfsfuse: one NFSv4 client of one export, mounted with FUSE, every operation done by libnfs.
 *
 * The harness has no kernel NFS client. Two nfsfuse processes mounting the same export are two NFS
 * clients (two NFSv4 client IDs) of one server, which is what "two hosts sharing a spool" means to
 * the dot-lock: link/O_EXCL decided by the server, attributes and lookups cached by each client.
 *
 *   nfsfuse 'nfs://127.0.0.1/export?version=4&nfsport=20490' MOUNTPOINT [-o OPTIONS] [-f] [-d]
 *
 * Options named after nfs(5), with the kernel client's defaults:
 *   acregmin=3 acregmax=60 acdirmin=30 acdirmax=60 actimeo=N noac
 *     FUSE has one attribute timeout and one entry timeout, fixed (not growing from min to max as
 *     the kernel's do): attr_timeout = acregmin, entry and negative timeouts = acdirmin (the kernel
 *     client trusts a cached name, present or absent, until its directory's attributes are
 *     revalidated). The *max values are accepted and have no effect. noac = actimeo=0.
 *   local_lock=none|flock|posix|all
 *     none (the kernel default): flock and POSIX locks are NFSv4 LOCKs on the server, so they
 *     exclude the other mount; flock becomes a whole-file POSIX lock there, owned by the open file,
 *     as Linux's client does. flock/posix/all: those kinds stay local to this mount (the kernel
 *     keeps them; libfuse does not register the operation).
 *   lockpoll=30  the longest wait between retries of a blocking lock (the kernel's NFSv4.0 client
 *     polls a denied blocking lock from 0.1 s, doubling, up to 30 s; NFSv4.0 has no callback)
 *   clientid=NAME  this client's NFSv4 client name (default: nfsfuse:HOST:MOUNTPOINT:PID)
 *   renew=15  seconds between lease renewals (keep it under a third of the server's lease)
 * Close-to-open: libfuse's auto_cache with ac_attr_timeout=0 fetches the attributes from the server
 * on every open and drops the page cache only if mtime or size changed. Inode numbers and link
 * counts are the server's (use_ino).
 *
 * Credentials: each call goes to the server with the caller's uid and primary gid (AUTH_SYS, no
 * supplementary groups); the server checks permissions. Calls on an open file use the opener's.
 *
 * Environment: NFSFUSE_DEBUG=N logs every failed call (and sets libnfs's debug level N);
 * NFSFUSE_TRACE=1 also logs each OPEN and CLOSE of the mount's own open owner with its result.
 *
 * libnfs 4.0 (Debian 12) is not thread-safe: one mutex around every call. FUSE runs
 * multi-threaded so that a waiting lock (which drops the mutex between retries) blocks nothing else.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <fuse.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct options {
    char *url;
    double acregmin, acregmax, acdirmin, acdirmax, actimeo;
    int noac;
    char *local_lock;
    char *clientid;
    double lockpoll;
    double renew;
};
static struct options opt = { NULL, 3, 60, 30, 60, -1, 0, NULL, NULL, 30, 15 };

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt option_spec[] = {
    OPT("acregmin=%lf", acregmin), OPT("acregmax=%lf", acregmax),
    OPT("acdirmin=%lf", acdirmin), OPT("acdirmax=%lf", acdirmax),
    OPT("actimeo=%lf", actimeo), OPT("noac", noac),
    OPT("local_lock=%s", local_lock), OPT("clientid=%s", clientid),
    OPT("lockpoll=%lf", lockpoll), OPT("renew=%lf", renew),
    FUSE_OPT_END
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct nfs_context *nfs;     /* this mount's client: everything but locks */
static char *srv_host, *srv_export; /* from the URL, for the lock clients */
static char *client_base;           /* client name; lock clients append ":lock:N" */
static unsigned long lock_seq;

/* ----------------------------------------------------------------- helpers */

static void caller_creds(struct nfs_context *c)
{
    struct fuse_context *fc = fuse_get_context();
    nfs_set_uid(c, fc ? (int)fc->uid : 0);
    nfs_set_gid(c, fc ? (int)fc->gid : 0);
}

static void to_stat(const struct nfs_stat_64 *n, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = n->nfs_ino;
    st->st_mode = n->nfs_mode;
    st->st_nlink = n->nfs_nlink;
    st->st_uid = n->nfs_uid;
    st->st_gid = n->nfs_gid;
    st->st_rdev = n->nfs_rdev;
    st->st_size = n->nfs_size;
    st->st_blksize = n->nfs_blksize ? n->nfs_blksize : 4096;
    st->st_blocks = n->nfs_used ? (n->nfs_used + 511) / 512 : n->nfs_blocks;
    st->st_atim.tv_sec = n->nfs_atime; st->st_atim.tv_nsec = n->nfs_atime_nsec;
    st->st_mtim.tv_sec = n->nfs_mtime; st->st_mtim.tv_nsec = n->nfs_mtime_nsec;
    st->st_ctim.tv_sec = n->nfs_ctime; st->st_ctim.tv_nsec = n->nfs_ctime_nsec;
}

/* libnfs 4.0 maps NFSv4 status codes with its NFSv3 table; codes below 100 are errno values in
 * both, the rest (DENIED, EXPIRED, ...) come out as other numbers. The message names the status. */
static int nfs_err(struct nfs_context *c, int rc)
{
    const char *msg = nfs_get_error(c);
    if (msg && strstr(msg, "NFS4ERR_DENIED")) return -EAGAIN;
    if ((rc != -ENOENT && rc != -EEXIST && rc != -ENOTEMPTY && rc != -EACCES) || getenv("NFSFUSE_DEBUG"))
        fprintf(stderr, "nfsfuse: %d: %s\n", rc, msg ? msg : "?");  /* the unusual ones, for the log */
    if (msg && strstr(msg, "NFS4ERR_STALE")) return -ESTALE;
    if (rc >= 0) return -EIO;
    /* -1 without a server status: libnfs failed to send (e.g. to encode) the call; not EPERM */
    if (rc == -1 && !(msg && strstr(msg, "NFS4ERR"))) return -EIO;
    return rc < -200 ? -EIO : rc;
}

/* ---------------------------------------------------- raw compounds (what libnfs 4.0 lacks) */

struct raw_wait { int done; int status; int unused; uint64_t *clientid; };

static void raw_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
    struct raw_wait *w = priv;
    COMPOUND4res *res = data;
    (void)rpc;
    if (w->clientid && status == RPC_STATUS_SUCCESS && res->status == NFS4_OK && res->resarray.resarray_len > 0
        && res->resarray.resarray_val[0].resop == OP_SETCLIENTID)
        *w->clientid = res->resarray.resarray_val[0].nfs_resop4_u.opsetclientid.SETCLIENTID4res_u.resok4.clientid;
    w->status = status != RPC_STATUS_SUCCESS ? -EIO : res->status == NFS4_OK ? 0
              : res->status == NFS4ERR_STALE ? -ESTALE : (int)res->status < 100 ? -(int)res->status : -EIO;
    w->done = 1;
}

/* Sends one COMPOUND on the mount's connection and waits for it (the sync API's way, by hand). */
static int raw_compound(nfs_argop4 *ops, int n, uint64_t *clientid)
{
    COMPOUND4args args;
    memset(&args, 0, sizeof(args));
    args.argarray.argarray_len = n;
    args.argarray.argarray_val = ops;
    struct raw_wait w = { 0, 0, 0, clientid };
    if (rpc_nfs4_compound_async(nfs_get_rpc_context(nfs), raw_cb, &args, &w) != 0) return -EIO;
    while (!w.done) {
        struct pollfd p = { nfs_get_fd(nfs), nfs_which_events(nfs), 0 };
        if (poll(&p, 1, 10000) < 0) { if (errno == EINTR) continue; return -EIO; }
        if (nfs_service(nfs, p.revents) < 0) return -EIO;
    }
    return w.status;
}

/* Attributes to set in one SETATTR, in the order of their numbers (the XDR order). */
struct setattrs {
    uint32_t mask[2];
    char vals[256];
    int len;
};

static void put32(struct setattrs *a, uint32_t v) { v = htonl(v); memcpy(a->vals + a->len, &v, 4); a->len += 4; }
static void put64(struct setattrs *a, uint64_t v) { put32(a, v >> 32); put32(a, v & 0xffffffffu); }
static void set_bit(struct setattrs *a, int attr) { a->mask[attr / 32] |= 1u << (attr % 32); }
static void put_owner(struct setattrs *a, unsigned id)   /* numeric owner strings (ganesha: Only_Numeric_Owners) */
{
    char num[16];
    int n = snprintf(num, sizeof(num), "%u", id);
    put32(a, n);
    memcpy(a->vals + a->len, num, n);
    memset(a->vals + a->len + n, 0, (4 - n % 4) % 4);
    a->len += (n + 3) & ~3;
}
static void put_time(struct setattrs *a, int attr, const struct timespec *t)
{
    if (!t) return;
    set_bit(a, attr);
    if (t->tv_nsec == UTIME_NOW) { put32(a, SET_TO_SERVER_TIME4); return; }
    put32(a, SET_TO_CLIENT_TIME4);
    put64(a, (uint64_t)t->tv_sec);
    put32(a, t->tv_nsec);
}

/* PUTROOTFH, LOOKUP of the export and of each component of PATH, then SETATTR with the anonymous
 * stateid. libnfs 4.0's chmod, chown, truncate and utimes by path send OPEN (for writing: they
 * fail on directories and on files the caller may not write), then SETATTR and CLOSE in one
 * compound; when the SETATTR fails, the CLOSE never runs but libnfs counts it, and from then on
 * every OPEN of the mount fails with NFS4ERR_BAD_SEQID (seen here after spoollock's chmod).
 * utimes can also only send the client's clock; the dot-lock's ages are the server's. */
static int raw_setattr(const char *path, struct setattrs *a)
{
    char buf[PATH_MAX * 2], *comp[512], *save = NULL, *s;
    int n = 0;
    if (!a->mask[0] && !a->mask[1]) return 0;
    snprintf(buf, sizeof(buf), "%s/%s", srv_export, path);
    for (s = strtok_r(buf, "/", &save); s && n < 500; s = strtok_r(NULL, "/", &save)) comp[n++] = s;
    nfs_argop4 ops[512 + 2];
    memset(ops, 0, sizeof(ops));
    int i = 0;
    ops[i++].argop = OP_PUTROOTFH;
    for (int k = 0; k < n; k++) {
        ops[i].argop = OP_LOOKUP;
        ops[i].nfs_argop4_u.oplookup.objname.utf8string_len = strlen(comp[k]);
        ops[i].nfs_argop4_u.oplookup.objname.utf8string_val = comp[k];
        i++;
    }
    ops[i].argop = OP_SETATTR;
    ops[i].nfs_argop4_u.opsetattr.obj_attributes.attrmask.bitmap4_len = 2;
    ops[i].nfs_argop4_u.opsetattr.obj_attributes.attrmask.bitmap4_val = a->mask;
    ops[i].nfs_argop4_u.opsetattr.obj_attributes.attr_vals.attrlist4_len = a->len;
    ops[i].nfs_argop4_u.opsetattr.obj_attributes.attr_vals.attrlist4_val = a->vals;
    i++;
    return raw_compound(ops, i, NULL);
}

/* Times: NULL leaves one alone; tv_nsec UTIME_NOW asks for the server's clock. */
static int set_times(const char *path, const struct timespec *atime, const struct timespec *mtime)
{
    struct setattrs a = { { 0, 0 }, { 0 }, 0 };
    put_time(&a, FATTR4_TIME_ACCESS_SET, atime);
    put_time(&a, FATTR4_TIME_MODIFY_SET, mtime);
    return raw_setattr(path, &a);
}

/* ----------------------------------------------------------------- the open owner's sequence number */

/* libnfs 4.0 keeps one open-owner sequence number per context and counts it in nfs4_open_cb; but a
 * COMPOUND whose OPEN fails (NFS4ERR_EXIST for an exclusive create of a taken name, NOENT for a
 * missing file, ACCESS, SYMLINK, ...) is answered in nfs4_lookup_path_1_cb, which reports the error
 * ("NFS4: (path DIR) failed with ...") and never gets there. The server did count it (RFC 7530
 * 9.1.7: every status but a few). The next OPEN (or CLOSE) then carries the sequence number of the
 * failed OPEN, and the server answers it as a retransmission of that OPEN: the same error again,
 * again not counted, so it sticks: seen as O_EXCL creates of new unique names failing with EEXIST
 * (the name then absent) or ENOENT, an open of the existing mailbox failing with EEXIST, and CLOSEs
 * with BAD_SEQID, until the server forgot the idle open owner. libnfs offers no way to set the
 * number, so nfsfuse counts it itself in the context, whose layout up to it (libnfs-private.h of
 * 4.0.0) is declared here and checked against what is known of the mount's context (the RPC
 * context, version, client name, verifier, client ID) before it is ever written; on a mismatch the
 * repair is off and a warning logged. */
struct libnfs40_context_head {
    struct rpc_context *rpc;
    char *server, *export;
    struct { uint32_t len; char *val; } rootfh;
    uint64_t readmax, writemax;
    char *cwd;
    int dircache_enabled, auto_reconnect;
    void *dircache;
    uint16_t mask;
    int auto_traverse_mounts;
    void *nested_mounts;
    int version, nfsport, mountport;
    char verifier[8];
    char *client_name;
    uint64_t clientid;
    char setclientid_confirm[8];
    uint32_t seqid;
};
static int seqid_repair;    /* the layout checked out */

static int seqid_layout_ok(struct nfs_context *c, const char *name, const char *verf, const uint64_t *cid)
{
    struct libnfs40_context_head *h = (struct libnfs40_context_head *)c;
    return h->rpc == nfs_get_rpc_context(c) && h->version == NFS_V4 && h->client_name
        && strcmp(h->client_name, name) == 0 && (!verf || memcmp(h->verifier, verf, 8) == 0)
        && (!cid || h->clientid == *cid);
}

/* After an OPEN on context c failed: did the server run (and count) the OPEN itself? The compound
 * is PUTROOTFH, LOOKUP of each directory, ACCESS, OPEN, GETFH; it stops at the first failure. A
 * failure before the OPEN is a LOOKUP's (ACCESS does not fail for want of permission): if the
 * directory resolves now, it was the OPEN. The statuses the server does not count are left out. */
static void open_failed(struct nfs_context *c, const char *path, int flags)
{
    if (!seqid_repair) return;
    const char *m = nfs_get_error(c);
    char msg[512];
    snprintf(msg, sizeof(msg), "%s", m ? m : "");
    int counted;
    if ((flags & O_NOFOLLOW) && strstr(msg, "Symlink encountered during open"))
        counted = 1;                /* OPEN answered NFS4ERR_SYMLINK */
    else if (!strstr(msg, "NFS4: (path ") || !strstr(msg, "NFS4ERR_"))
        counted = 0;                /* not the lookup-path failure, or no server status */
    else if (strstr(msg, "NFS4ERR_STALE_CLIENTID") || strstr(msg, "NFS4ERR_STALE_STATEID")
             || strstr(msg, "NFS4ERR_BAD_STATEID") || strstr(msg, "NFS4ERR_BAD_SEQID")
             || strstr(msg, "NFS4ERR_BADXDR") || strstr(msg, "NFS4ERR_RESOURCE")
             || strstr(msg, "NFS4ERR_NOFILEHANDLE") || strstr(msg, "NFS4ERR_MOVED"))
        counted = 0;
    else {
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash == dir || !slash) strcpy(dir, "/"); else *slash = 0;
        struct nfs_stat_64 n;
        counted = nfs_lstat64(c, dir, &n) == 0 && S_ISDIR(n.nfs_mode);
    }
    if (counted) ((struct libnfs40_context_head *)c)->seqid++;
    if (getenv("NFSFUSE_TRACE")) fprintf(stderr, "TRACE open failed %s counted=%d (%s)\n", path, counted, msg);
}

/* ----------------------------------------------------------------- open files and their locks */

/* One NFS client per (file, lock owner): libnfs 4.0 has one lock owner per nfs_context (its client
 * name) and remembers one lock stateid per context, so locks by two local owners, or on two files,
 * cannot share a context. Each lock client is a separate NFSv4 client ID with its own open of the
 * file, so the server arbitrates between local owners as well as between mounts. */
struct lockclient {
    struct lockclient *next;
    uint64_t ino, owner;
    struct nfs_context *c;
    struct nfsfh *fh;
    void *creator;          /* the open file that made it: dropped when that file is released */
    int locked_once;        /* LOCKU needs a lock stateid: none before the first granted LOCK */
};
static struct lockclient *lockclients;

/* One NFSv4 open per file and mount. libnfs 4.0 has one open owner per client, and NFSv4 gives an
 * open owner one open state per file: a second OPEN of the file returns the same stateid with its
 * sequence number raised. libnfs keeps a copy per handle, so closing the first handle sent the old
 * stateid (NFS4ERR_OLD_STATEID; ganesha then also did not count the CLOSE's sequence number, and
 * every later OPEN of the mount failed with BAD_SEQID), and closing any handle ended the open of
 * the others. So FUSE opens of one file share one open here, counted, closed with the last; an
 * open needing more access (write after read) sends OPEN again, which upgrades the state, and its
 * newest handle is used from then on (the older handle's memory is left: libnfs cannot free a
 * handle without sending CLOSE). The kernel client does the same counting per open owner. */
struct shared {
    struct shared *next;
    uint64_t ino;
    struct nfsfh *fh;
    int access;             /* 1 read, 2 write: what the server granted this open */
    int refs;
};
static struct shared *shareds;

static int access_of(int flags)
{
    int acc = flags & O_ACCMODE;
    return acc == O_RDONLY ? 1 : acc == O_WRONLY ? 2 : 3;
}

static struct shared *shared_find(uint64_t ino)
{
    for (struct shared *sh = shareds; sh; sh = sh->next)
        if (sh->ino == ino) return sh;
    return NULL;
}

/* Takes a handle just returned by OPEN into the table (it is the newest for its file). */
static struct shared *shared_adopt(struct nfsfh *fh, int access)
{
    struct nfs_stat_64 n;
    uint64_t ino = nfs_fstat64(nfs, fh, &n) == 0 ? n.nfs_ino : 0;
    struct shared *sh = ino ? shared_find(ino) : NULL;
    if (sh) {
        sh->fh = fh;            /* the older handle is left, see above */
        sh->access |= access;
        sh->refs++;
        return sh;
    }
    sh = calloc(1, sizeof(*sh));
    if (!sh) return NULL;
    sh->ino = ino; sh->fh = fh; sh->access = access; sh->refs = 1;
    sh->next = shareds;
    shareds = sh;
    return sh;
}

static void shared_put(struct shared *sh)
{
    if (--sh->refs > 0) return;
    for (struct shared **pp = &shareds; *pp; pp = &(*pp)->next)
        if (*pp == sh) { *pp = sh->next; break; }
    int crc = nfs_close(nfs, sh->fh);
    if (getenv("NFSFUSE_TRACE")) fprintf(stderr, "TRACE close %lu -> %d %s\n", (unsigned long)sh->ino, crc, crc < 0 ? nfs_get_error(nfs) : "");
    free(sh);
}

struct ofile {
    struct shared *sh;
    uid_t uid; gid_t gid;
    int append;
    uint64_t ino;
};

/* LOCKU through nfs_lockf, not nfs_fcntl: libnfs 4.0's fcntl callback does not take the lock
 * stateid from the LOCKU reply (its lockf callback does), while the server raised its sequence
 * number; the lock owner's next LOCK or LOCKU then failed with NFS4ERR_OLD_STATEID (seen as
 * Python's lockf(LOCK_UN) failing with ERANGE). nfs_lockf's range starts at the handle's offset. */
static int lock_unlock(struct lockclient *l, uint64_t start, uint64_t len)
{
    uint64_t cur;
    nfs_lseek(l->c, l->fh, (int64_t)start, SEEK_SET, &cur);
    return nfs_lockf(l->c, l->fh, NFS4_F_ULOCK, len ? len : UINT64_MAX);
}

static void lockclient_free(struct lockclient *l)
{
    if (l->fh) {
        if (l->locked_once)     /* the server refuses CLOSE while locks are held (LOCKS_HELD) */
            lock_unlock(l, 0, 0);
        nfs_close(l->c, l->fh);
    }
    nfs_destroy_context(l->c);
    free(l);
}

static struct lockclient *lockclient_find(uint64_t ino, uint64_t owner)
{
    for (struct lockclient *l = lockclients; l; l = l->next)
        if (l->ino == ino && l->owner == owner) return l;
    return NULL;
}

static int lockclient_get(const char *path, struct ofile *of, uint64_t owner, struct lockclient **out)
{
    struct lockclient *l = lockclient_find(of->ino, owner);
    if (l) { *out = l; return 0; }
    l = calloc(1, sizeof(*l));
    if (!l) return -ENOMEM;
    l->ino = of->ino; l->owner = owner; l->creator = of;
    l->c = nfs_init_context();
    if (!l->c) { free(l); return -ENOMEM; }
    char name[512];
    snprintf(name, sizeof(name), "%s:lock:%lu", client_base, ++lock_seq);
    nfs_set_version(l->c, NFS_V4);
    struct nfs_url *u = nfs_parse_url_dir(l->c, opt.url);   /* applies nfsport= etc. */
    if (u) nfs_destroy_url(u);
    nfs4_set_client_name(l->c, name);
    nfs_set_dircache(l->c, 0);
    nfs_set_uid(l->c, of->uid);
    nfs_set_gid(l->c, of->gid);
    int rc = nfs_mount(l->c, srv_host, srv_export);
    if (rc == 0) {
        /* A write lock needs an open for writing on the server; read-only if that is all we may. */
        if (seqid_repair && !seqid_layout_ok(l->c, name, NULL, NULL)) seqid_repair = 0;
        rc = nfs_open(l->c, path, O_RDWR, &l->fh);
        if (rc < 0) {
            open_failed(l->c, path, O_RDWR);
            rc = nfs_open(l->c, path, O_RDONLY, &l->fh);
            if (rc < 0) open_failed(l->c, path, O_RDONLY);
        }
    }
    if (rc < 0) {
        rc = nfs_err(l->c, rc);
        fprintf(stderr, "nfsfuse: lock client for %s: %s\n", path, nfs_get_error(l->c));
        l->fh = NULL;
        lockclient_free(l);
        return rc;
    }
    l->next = lockclients;
    lockclients = l;
    *out = l;
    return 0;
}

static void lockclient_unlink(struct lockclient *l)
{
    for (struct lockclient **pp = &lockclients; *pp; pp = &(*pp)->next)
        if (*pp == l) { *pp = l->next; return; }
}

static void lockclients_drop_creator(void *creator)
{
    struct lockclient **pp = &lockclients;
    while (*pp) {
        if ((*pp)->creator == creator) { struct lockclient *l = *pp; *pp = l->next; lockclient_free(l); }
        else pp = &(*pp)->next;
    }
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* F_SETLK/F_SETLKW for one owner; called with mu held, drops it while a blocking lock waits. */
static int do_setlk(const char *path, struct ofile *of, uint64_t owner, int type, uint64_t start,
                    uint64_t len, int wait)
{
    struct lockclient *l = NULL;
    if (type == F_UNLCK) {
        l = lockclient_find(of->ino, owner);
        if (!l || !l->locked_once) return 0;
        int rc = lock_unlock(l, start, len);
        return rc < 0 ? nfs_err(l->c, rc) : 0;
    }
    int rc = lockclient_get(path, of, owner, &l);
    if (rc < 0) return rc;
    double delay = 0.1;
    for (;;) {
        struct nfs4_flock fl = { type, SEEK_SET, 0, start, len ? len : UINT64_MAX };
        rc = nfs_fcntl(l->c, l->fh, wait ? NFS4_F_SETLKW : NFS4_F_SETLK, &fl);
        if (rc == 0) { l->locked_once = 1; return 0; }
        rc = nfs_err(l->c, rc);
        if (!l->locked_once) {
            /* Until a lock owner has a granted lock, libnfs 4.0 sends LOCK with the open owner's
             * sequence number and does not count the denied attempt: the server counts it, and
             * would answer the next attempt as a replay of this one (denied again, forever). A
             * fresh lock client per attempt avoids that. */
            lockclient_unlink(l);
            lockclient_free(l);
            l = NULL;
        }
        if (rc != -EAGAIN || !wait) return rc;
        /* Denied: poll like the kernel's NFSv4.0 client, with the mutex free meanwhile. A lock
         * client that stays (it holds other locks) is freed only by its creator's release, which
         * cannot run while this call is in progress on the same open file. */
        double until = now_s() + delay;
        pthread_mutex_unlock(&mu);
        while (now_s() < until) {
            if (fuse_interrupted()) { pthread_mutex_lock(&mu); return -EINTR; }
            usleep(20000);
        }
        pthread_mutex_lock(&mu);
        delay = delay * 2 > opt.lockpoll ? opt.lockpoll : delay * 2;
        if (!l && (rc = lockclient_get(path, of, owner, &l)) < 0) return rc;
    }
}

/* ----------------------------------------------------------------- lease renewal */

/* An NFSv4.0 client must renew its lease (RENEW, or any operation carrying its client ID or a
 * stateid) or the server expires it with its opens and locks; libnfs 4.0 has no RENEW and no
 * timer, and ganesha expired an idle libnfs client after one lease (then every call failed with
 * ERANGE, libnfs's reading of NFS4ERR_EXPIRED). libnfs keeps the client ID to itself, so the mount
 * asks the server for it again: a SETCLIENTID with the same name and verifier as libnfs's own is, for
 * the server, the same client (RFC 7530 16.33.5), and its reply carries the client ID; the new
 * callback it proposes is never confirmed, so nothing changes. Then every `renew` seconds (a third
 * of ganesha's default 60 s lease) a RENEW. (An OPEN of a missing name, tried first, put libnfs's
 * open sequence number out of step with ganesha's.) Each lock client reads one byte through its
 * open stateid, which renews its own lease. */
static double renew_every = 15;
static char verifier[8];
static uint64_t clientid;
static int have_clientid;

static int fetch_clientid(void)
{
    nfs_argop4 op;
    memset(&op, 0, sizeof(op));
    op.argop = OP_SETCLIENTID;
    SETCLIENTID4args *a = &op.nfs_argop4_u.opsetclientid;
    memcpy(a->client.verifier, verifier, sizeof(verifier));
    a->client.id.id_len = strlen(client_base);
    a->client.id.id_val = client_base;
    a->callback.cb_program = 0x40000000;
    a->callback.cb_location.r_netid = "tcp";
    a->callback.cb_location.r_addr = "0.0.0.0.0.0";
    a->callback_ident = 1;
    nfs_set_uid(nfs, 0); nfs_set_gid(nfs, 0);   /* the principal libnfs used at mount */
    int rc = raw_compound(&op, 1, &clientid);
    have_clientid = rc == 0;
    return rc;
}

static void *renewer(void *arg)
{
    (void)arg;
    char b;
    for (;;) {
        usleep((useconds_t)(renew_every * 1e6));
        pthread_mutex_lock(&mu);
        nfs_set_uid(nfs, 0); nfs_set_gid(nfs, 0);
        if (have_clientid) {
            nfs_argop4 op;
            memset(&op, 0, sizeof(op));
            op.argop = OP_RENEW;
            op.nfs_argop4_u.oprenew.clientid = clientid;
            int rc = raw_compound(&op, 1, NULL);
            if (rc < 0) fprintf(stderr, "nfsfuse: RENEW: %d\n", rc);
        }
        for (struct lockclient *l = lockclients; l; l = l->next)
            if (l->fh) nfs_pread(l->c, l->fh, 0, 1, &b);
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

/* ----------------------------------------------------------------- operations */

#define OF(fi) ((struct ofile *)(uintptr_t)(fi)->fh)
#define FH(of) ((of)->sh->fh)

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    /* Here, not in main: fuse_main daemonizes (fork) after parsing, and threads do not survive it. */
    pthread_t t;
    if (renew_every > 0 && pthread_create(&t, NULL, renewer, NULL) == 0) pthread_detach(t);
    cfg->use_ino = 1;
    cfg->attr_timeout = opt.acregmin;
    cfg->entry_timeout = opt.acdirmin;
    cfg->negative_timeout = opt.acdirmin;
    cfg->auto_cache = 1;            /* close-to-open: see the top of the file */
    cfg->ac_attr_timeout_set = 1;
    cfg->ac_attr_timeout = 0;
    cfg->kernel_cache = 0;
    cfg->nullpath_ok = 0;
    return NULL;
}

static int st_path(const char *path, struct stat *st)
{
    struct nfs_stat_64 n;
    int rc = nfs_lstat64(nfs, path, &n);
    if (rc < 0) return nfs_err(nfs, rc);
    to_stat(&n, st);
    return 0;
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&mu);
    int rc;
    if (fi && OF(fi)) {
        struct nfs_stat_64 n;
        nfs_set_uid(nfs, OF(fi)->uid); nfs_set_gid(nfs, OF(fi)->gid);
        rc = nfs_fstat64(nfs, FH(OF(fi)), &n);
        if (rc < 0) rc = nfs_err(nfs, rc); else to_stat(&n, st);
    } else {
        caller_creds(nfs);
        rc = st_path(path, st);
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

static int op_access(const char *path, int mask)
{
    pthread_mutex_lock(&mu);
    caller_creds(nfs);
    int rc = nfs_access(nfs, path, mask);
    pthread_mutex_unlock(&mu);
    return rc < 0 ? -EACCES : 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)off; (void)fi; (void)flags;
    pthread_mutex_lock(&mu);
    caller_creds(nfs);
    struct nfsdir *d;
    int rc = nfs_opendir(nfs, path, &d);
    if (rc < 0) { rc = nfs_err(nfs, rc); pthread_mutex_unlock(&mu); return rc; }
    struct nfsdirent *e;
    while ((e = nfs_readdir(nfs, d))) {
        struct stat st;
        memset(&st, 0, sizeof(st));
        st.st_ino = e->inode;
        st.st_mode = e->mode;
        if (st.st_ino == 0 && strcmp(e->name, ".") && strcmp(e->name, "..")) {
            /* libnfs 4.0's NFSv4 readdir leaves the inode number 0 (ls then hides the name): ask */
            char child[PATH_MAX];
            snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", e->name);
            struct nfs_stat_64 n;
            if (nfs_lstat64(nfs, child, &n) == 0) { st.st_ino = n.nfs_ino; st.st_mode = n.nfs_mode; }
        }
        if (fill(buf, e->name, st.st_ino ? &st : NULL, 0, 0)) break;
    }
    nfs_closedir(nfs, d);
    pthread_mutex_unlock(&mu);
    return 0;
}

/* fh: a handle just returned by OPEN (NULL: sh is an open being shared). */
static int finish_open(struct nfsfh *fh, struct shared *sh, struct fuse_file_info *fi)
{
    struct ofile *of = calloc(1, sizeof(*of));
    if (!of) { if (fh) nfs_close(nfs, fh); return -ENOMEM; }
    if (fh && !(sh = shared_adopt(fh, access_of(fi->flags)))) { free(of); nfs_close(nfs, fh); return -ENOMEM; }
    if (!fh) sh->refs++;
    struct fuse_context *fc = fuse_get_context();
    of->sh = sh;
    of->uid = fc->uid; of->gid = fc->gid;
    of->append = (fi->flags & O_APPEND) != 0;
    of->ino = sh->ino;
    fi->fh = (uintptr_t)of;
    return 0;
}

/* Flags for libnfs: access mode, truncation and sync. O_APPEND is ours to do (see op_write). */
static int open_flags(int f)
{
    return (f & O_ACCMODE) | (f & O_TRUNC) | (f & (O_SYNC | O_DSYNC));
}

/* Close-to-open for the attributes: libfuse's auto_cache decides about the page cache on open,
 * but the kernel keeps the size it has cached (up to acregmin), and reads stop at that size. The
 * kernel NFS client takes the size from the GETATTR it sends on open. So when the server's mtime,
 * ctime or size differ from what this mount saw at its last open of the file, the kernel's copy is
 * invalidated (attributes and pages), after the mutex is released (a read holding a page lock may
 * be waiting for it). A small table by inode number; a collision costs one needless refresh. */
#define SEEN_SLOTS 4096
static struct seen { uint64_t ino, mtime_ns, ctime_ns, size; } seen[SEEN_SLOTS];

static int changed_since_last_open(struct nfsfh *fh)
{
    struct nfs_stat_64 n;
    if (nfs_fstat64(nfs, fh, &n) != 0) return 1;
    struct seen now = { n.nfs_ino, n.nfs_mtime * 1000000000ull + n.nfs_mtime_nsec,
                        n.nfs_ctime * 1000000000ull + n.nfs_ctime_nsec, n.nfs_size };
    struct seen *slot = &seen[n.nfs_ino % SEEN_SLOTS];
    int changed = memcmp(slot, &now, sizeof(now)) != 0;
    *slot = now;
    return changed;
}

/* Seen once per contended lock's hand-off (a lock client denied, then the holder's lock client
 * and open closed): the mount's next OPEN fails with NFS4ERR_BAD_SEQID and the one after it
 * succeeds. Cause not found (libnfs 4.0 tracks one open sequence number per client); the OPEN is
 * sent again once, and the message stays in the log. */
static int bad_seqid(void)
{
    const char *msg = nfs_get_error(nfs);
    return msg && strstr(msg, "NFS4ERR_BAD_SEQID");
}

static int open_retrying(const char *path, int flags, int mode, struct nfsfh **fh)
{
    int rc = nfs_open2(nfs, path, flags, mode, fh);
    if (getenv("NFSFUSE_TRACE")) fprintf(stderr, "TRACE open %s %#x -> %d %s\n", path, flags, rc, rc < 0 ? nfs_get_error(nfs) : "");
    if (rc < 0 && bad_seqid()) {
        fprintf(stderr, "nfsfuse: %s: %s; sending the OPEN again\n", path, nfs_get_error(nfs));
        rc = nfs_open2(nfs, path, flags, mode, fh);
    }
    if (rc < 0) open_failed(nfs, path, flags);
    return rc;
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&mu);
    caller_creds(nfs);
    struct nfsfh *fh;
    int changed = 0, rc;
    struct nfs_stat_64 n;
    struct shared *sh = nfs_lstat64(nfs, path, &n) == 0 ? shared_find(n.nfs_ino) : NULL;
    int want = access_of(fi->flags);
    if (sh && (sh->access & want) == want) {
        /* Already open here with enough access: the server checked the first opener; check this
         * caller (ACCESS), and truncate if asked, as the OPEN would have. */
        rc = nfs_access(nfs, path, (want & 1 ? R_OK : 0) | (want & 2 ? W_OK : 0)) < 0 ? -EACCES : 0;
        if (rc == 0 && (fi->flags & O_TRUNC) && (rc = nfs_ftruncate(nfs, sh->fh, 0)) < 0) rc = nfs_err(nfs, rc);
        if (rc == 0) { changed = changed_since_last_open(sh->fh); rc = finish_open(NULL, sh, fi); }
    } else {
        rc = open_retrying(path, open_flags(fi->flags), 0, &fh);
        if (rc < 0) {
            rc = nfs_err(nfs, rc);
            /* The kernel sends an open (not a create) for a name it has cached as present, with O_CREAT
             * taken out of the flags; the name may since have been removed via another client. Linux's NFS
             * client sends the OPEN, O_CREAT included, to the server and creates the file; here the
             * server's NOENT is answered with ESTALE, on which the kernel looks the path up again
             * (LOOKUP_REVAL) and then opens or creates it, as asked. Without it, open(O_CREAT) of a name
             * another mount had removed failed with ENOENT for up to the entry timeout (the torture's
             * rewrite journal, .NAME.spoollock-journal.tmp). */
            if (rc == -ENOENT) rc = -ESTALE;
        } else { changed = changed_since_last_open(fh); rc = finish_open(fh, NULL, fi); }
    }
    pthread_mutex_unlock(&mu);
    if (rc == 0 && changed) fuse_invalidate_path(fuse_get_context()->fuse, path);
    return rc;
}

/* The kernel calls create only when it believes the name absent. libnfs 4.0 sends every O_CREAT
 * open as an EXCLUSIVE4 create (a flag test in its open reads `flags|O_EXCL`), which the server
 * decides atomically: EEXIST if the name exists. Without O_EXCL from the caller, an existing file
 * is then opened instead. EXCLUSIVE4 stores the create verifier in the new file's times, so they
 * are set to the server's clock right after; libnfs already sends the mode for O_EXCL. */
static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&mu);
    caller_creds(nfs);
    struct nfsfh *fh = NULL;
    int rc = -EIO;
    for (int tries = 0; tries < 10; tries++) {
        rc = open_retrying(path, open_flags(fi->flags) | O_CREAT | O_EXCL, mode & 07777, &fh);
        if (rc == 0) {
            struct timespec now = { 0, UTIME_NOW };
            int r2 = set_times(path, &now, &now);
            if (r2 < 0) fprintf(stderr, "nfsfuse: create %s: setting times: %d\n", path, r2);
            break;
        }
        rc = nfs_err(nfs, rc);
        if (rc != -EEXIST || (fi->flags & O_EXCL)) break;
        rc = open_retrying(path, open_flags(fi->flags), 0, &fh);
        if (rc == 0) break;
        rc = nfs_err(nfs, rc);
        if (rc != -ENOENT) break;   /* removed in between: create again */
    }
    if (rc == 0) rc = finish_open(fh, NULL, fi);
    pthread_mutex_unlock(&mu);
    return rc;
}

static int op_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    pthread_mutex_lock(&mu);
    struct ofile *of = OF(fi);
    nfs_set_uid(nfs, of->uid); nfs_set_gid(nfs, of->gid);
    size_t got = 0;
    int rc = 0;
    while (got < size) {    /* libnfs returns at most the server's read size per call */
        rc = nfs_pread(nfs, FH(of), off + got, size - got, buf + got);
        if (rc <= 0) break;
        got += rc;
    }
    if (rc < 0 && got == 0) got = nfs_err(nfs, rc); else rc = 0;
    pthread_mutex_unlock(&mu);
    return (int)got;
}

/* libnfs 4.0 encodes every NFSv4 COMPOUND into a fixed 4096-byte buffer (ZDR_ENCODEBUF_MINSIZE;
 * rpc_nfs4_compound_async gives no size hint) and sends the whole count of a pwrite as one WRITE:
 * any write of more than about 3.5 KB failed to encode, and the -1 came out as EPERM (seen as
 * spoollock's append of a large message failing with "Operation not permitted"). So WRITEs are sent
 * in pieces that leave room for the RPC header, AUTH_SYS credentials, PUTFH and WRITE arguments. */
#define WRITE_CHUNK 3072

/* O_APPEND: like the kernel client, fetch the size from the server and write there (not atomic
 * between clients, as on NFS); the kernel's own offset comes from its possibly stale cache. */
static int op_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&mu);
    struct ofile *of = OF(fi);
    nfs_set_uid(nfs, of->uid); nfs_set_gid(nfs, of->gid);
    int rc = 0;
    if (of->append) {
        /* O_APPEND: the kernel gives the offset, its own idea of the end (the size it has cached, taken
         * afresh at open and on lock), and its page cache holds the data there. Linux's NFS client writes
         * at its idea of the end too (nfs_file_write revalidates the size only when the cached one has
         * expired): NFS has no append. Writing at the server's size instead (as nfsfuse did) hid a stale
         * size from the writer and left the kernel's cache with the data at another offset, which readers
         * of this mount then saw (the torture: a message shown twice, over another's). A difference is
         * logged: it is what would overwrite another client's data on a kernel client. */
        struct nfs_stat_64 n;
        if (nfs_fstat64(nfs, FH(of), &n) == 0 && n.nfs_size != (uint64_t)off)
            fprintf(stderr, "nfsfuse: %s: O_APPEND write at the kernel's offset %lld; the server's size is %llu\n",
                    path, (long long)off, (unsigned long long)n.nfs_size);
    }
    size_t put = 0;
    while (put < size) {
        size_t n = size - put < WRITE_CHUNK ? size - put : WRITE_CHUNK;
        rc = nfs_pwrite(nfs, FH(of), off + put, n, buf + put);
        if (rc <= 0) break;
        put += rc;
    }
    if (rc < 0 && put == 0) put = nfs_err(nfs, rc);
    pthread_mutex_unlock(&mu);
    return (int)put;
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&mu);
    int rc;
    if (fi && OF(fi)) {
        nfs_set_uid(nfs, OF(fi)->uid); nfs_set_gid(nfs, OF(fi)->gid);
        rc = nfs_ftruncate(nfs, FH(OF(fi)), size);
    } else {
        caller_creds(nfs);
        struct setattrs a = { { 0, 0 }, { 0 }, 0 };
        set_bit(&a, FATTR4_SIZE);
        put64(&a, (uint64_t)size);
        rc = raw_setattr(path, &a);
        pthread_mutex_unlock(&mu);
        return rc;
    }
    if (rc < 0) rc = nfs_err(nfs, rc);
    pthread_mutex_unlock(&mu);
    return rc;
}

static int op_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path; (void)datasync;
    pthread_mutex_lock(&mu);
    nfs_set_uid(nfs, OF(fi)->uid); nfs_set_gid(nfs, OF(fi)->gid);
    int rc = nfs_fsync(nfs, FH(OF(fi)));
    if (rc < 0) rc = nfs_err(nfs, rc);
    pthread_mutex_unlock(&mu);
    return rc;
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    pthread_mutex_lock(&mu);
    struct ofile *of = OF(fi);
    lockclients_drop_creator(of);
    nfs_set_uid(nfs, of->uid); nfs_set_gid(nfs, of->gid);
    shared_put(of->sh);
    free(of);
    pthread_mutex_unlock(&mu);
    return 0;
}

static int simple_end(int rc)
{
    if (rc < 0) rc = nfs_err(nfs, rc);
    pthread_mutex_unlock(&mu);
    return rc;
}
#define SIMPLE(call) do { pthread_mutex_lock(&mu); caller_creds(nfs); return simple_end(call); } while (0)

static int op_unlink(const char *path) { SIMPLE(nfs_unlink(nfs, path)); }
static int op_rmdir(const char *path) { SIMPLE(nfs_rmdir(nfs, path)); }
static int op_mkdir(const char *path, mode_t mode) { SIMPLE(nfs_mkdir2(nfs, path, mode & 07777)); }
/* The kernel (6.x) keeps the source's cached attributes after a link, and libfuse gives the new
 * name its own kernel inode: without this, stat(source) right after link() shows the old link
 * count, and c-client's dot-lock test (the hitching post's st_nlink == 2) fails. The kernel NFS
 * client refreshes the source's attributes from the LINK reply. */
static int op_link(const char *from, const char *to)
{
    pthread_mutex_lock(&mu);
    caller_creds(nfs);
    int rc = simple_end(nfs_link(nfs, from, to));
    if (rc == 0) fuse_invalidate_path(fuse_get_context()->fuse, from);
    return rc;
}
static int op_symlink(const char *target, const char *path) { SIMPLE(nfs_symlink(nfs, target, path)); }
static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)fi;
    struct setattrs a = { { 0, 0 }, { 0 }, 0 };
    set_bit(&a, FATTR4_MODE);
    put32(&a, mode & 07777);
    pthread_mutex_lock(&mu);
    caller_creds(nfs);
    int rc = raw_setattr(path, &a);
    pthread_mutex_unlock(&mu);
    return rc;
}

static int op_rename(const char *from, const char *to, unsigned int flags)
{
    if (flags) return -EINVAL;      /* NFSv4 has no RENAME_NOREPLACE/EXCHANGE */
    SIMPLE(nfs_rename(nfs, from, to));
}

static int op_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    (void)fi;
    struct setattrs a = { { 0, 0 }, { 0 }, 0 };
    if (uid != (uid_t)-1) { set_bit(&a, FATTR4_OWNER); put_owner(&a, uid); }
    if (gid != (gid_t)-1) { set_bit(&a, FATTR4_OWNER_GROUP); put_owner(&a, gid); }
    pthread_mutex_lock(&mu);
    caller_creds(nfs);
    int rc = raw_setattr(path, &a);
    pthread_mutex_unlock(&mu);
    return rc;
}

static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    (void)fi;
    const struct timespec *a = &tv[0], *m = &tv[1];
    if (a->tv_nsec == UTIME_OMIT) a = NULL;
    if (m->tv_nsec == UTIME_OMIT) m = NULL;
    pthread_mutex_lock(&mu);
    caller_creds(nfs);
    int rc = set_times(path, a, m);
    pthread_mutex_unlock(&mu);
    return rc;
}

static int op_readlink(const char *path, char *buf, size_t size)
{
    pthread_mutex_lock(&mu);
    caller_creds(nfs);
    char *target = NULL;
    int rc = nfs_readlink2(nfs, path, &target);
    if (rc < 0) rc = nfs_err(nfs, rc);
    else { snprintf(buf, size, "%s", target); free(target); }
    pthread_mutex_unlock(&mu);
    return rc;
}

static int op_statfs(const char *path, struct statvfs *sv)
{
    pthread_mutex_lock(&mu);
    caller_creds(nfs);
    struct nfs_statvfs_64 n;
    int rc = nfs_statvfs64(nfs, path, &n);
    if (rc < 0) rc = nfs_err(nfs, rc);
    else {
        memset(sv, 0, sizeof(*sv));
        sv->f_bsize = n.f_bsize; sv->f_frsize = n.f_frsize ? n.f_frsize : n.f_bsize;
        sv->f_blocks = n.f_blocks; sv->f_bfree = n.f_bfree; sv->f_bavail = n.f_bavail;
        sv->f_files = n.f_files; sv->f_ffree = n.f_ffree; sv->f_favail = n.f_favail;
        sv->f_namemax = n.f_namemax ? n.f_namemax : 255;
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

/* A lock granted: Linux's NFS client revalidates the file then (attributes and cached pages), so
 * that what the previous holder wrote on another host is seen; programs that lock an already open
 * mailbox (Python's mailbox: lockf, then seek to the end and append) depend on it. Without it the
 * kernel's size, cached for up to acregmin, put such an append over another host's last message.
 * Called without the mutex (a read holding a page lock may be waiting for it). */
static void lock_revalidate(const char *path)
{
    fuse_invalidate_path(fuse_get_context()->fuse, path);
}

/* POSIX locks. F_GETLK: libnfs 4.0 offers only LOCKT for a write lock at the handle's offset
 * (nfs_lockf NFS4_F_TEST), and drops the holder's range and owner from the reply: a conflict is
 * reported as a write lock on the range asked about, pid 0; a read-lock test is answered as a
 * write-lock test (so another's read lock is reported as a conflict). */
static int op_lock(const char *path, struct fuse_file_info *fi, int cmd, struct flock *lk)
{
    struct ofile *of = OF(fi);
    uint64_t start = lk->l_start, len = lk->l_len;
    pthread_mutex_lock(&mu);
    int rc;
    if (cmd == F_GETLK) {
        struct lockclient *l = lockclient_find(of->ino, fi->lock_owner);
        struct nfs_context *c = l ? l->c : nfs;
        struct nfsfh *fh = l ? l->fh : FH(of);
        uint64_t cur;
        nfs_lseek(c, fh, start, SEEK_SET, &cur);
        rc = nfs_lockf(c, fh, NFS4_F_TEST, len ? len : UINT64_MAX);
        if (rc == 0) lk->l_type = F_UNLCK;
        else if ((rc = nfs_err(c, rc)) == -EAGAIN) { lk->l_type = F_WRLCK; lk->l_pid = 0; rc = 0; }
    } else {
        rc = do_setlk(path, of, fi->lock_owner, lk->l_type, start, len, cmd == F_SETLKW);
    }
    pthread_mutex_unlock(&mu);
    if (rc == 0 && cmd != F_GETLK && lk->l_type != F_UNLCK) lock_revalidate(path);
    return rc;
}

/* flock as Linux's NFS client does it with local_lock=none: a whole-file POSIX lock on the server,
 * owned by the open file (the kernel passes the file as the owner), so flock and fcntl locks on
 * one file from different open files conflict, as they do on NFS. */
static int op_flock(const char *path, struct fuse_file_info *fi, int op)
{
    struct ofile *of = OF(fi);
    int type = (op & LOCK_UN) ? F_UNLCK : (op & LOCK_EX) ? F_WRLCK : F_RDLCK;
    pthread_mutex_lock(&mu);
    int rc = do_setlk(path, of, fi->lock_owner, type, 0, 0, !(op & LOCK_NB));
    pthread_mutex_unlock(&mu);
    if (rc == 0 && type != F_UNLCK) lock_revalidate(path);
    return rc == -EACCES ? -EWOULDBLOCK : rc;
}

static struct fuse_operations ops = {
    .init = op_init, .getattr = op_getattr, .access = op_access, .readdir = op_readdir,
    .open = op_open, .create = op_create, .read = op_read, .write = op_write,
    .truncate = op_truncate, .fsync = op_fsync, .release = op_release,
    .unlink = op_unlink, .rmdir = op_rmdir, .mkdir = op_mkdir, .link = op_link,
    .symlink = op_symlink, .readlink = op_readlink, .rename = op_rename, .chmod = op_chmod,
    .chown = op_chown, .utimens = op_utimens, .statfs = op_statfs,
    .lock = op_lock, .flock = op_flock,
};

static int keep_arg(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)data; (void)outargs;
    if (key == FUSE_OPT_KEY_NONOPT && !opt.url && strncmp(arg, "nfs://", 6) == 0) {
        opt.url = strdup(arg);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    if (fuse_opt_parse(&args, &opt, option_spec, keep_arg) == -1) return 64;
    if (!opt.url) {
        fprintf(stderr, "usage: nfsfuse nfs://SERVER/EXPORT?version=4&nfsport=PORT MOUNTPOINT [-o OPTIONS]\n");
        return 64;
    }
    if (opt.noac) opt.actimeo = 0;
    renew_every = opt.renew;
    if (opt.actimeo >= 0) opt.acregmin = opt.acregmax = opt.acdirmin = opt.acdirmax = opt.actimeo;
    const char *ll = opt.local_lock ? opt.local_lock : "none";
    if (!strcmp(ll, "flock") || !strcmp(ll, "all")) ops.flock = NULL;
    if (!strcmp(ll, "posix") || !strcmp(ll, "all")) ops.lock = NULL;
    if (strcmp(ll, "none") && strcmp(ll, "flock") && strcmp(ll, "posix") && strcmp(ll, "all")) {
        fprintf(stderr, "nfsfuse: local_lock=%s: want none, flock, posix or all\n", ll);
        return 64;
    }

    nfs = nfs_init_context();
    if (!nfs) { fprintf(stderr, "nfsfuse: cannot make an NFS context\n"); return 69; }
    nfs_set_version(nfs, NFS_V4);
    struct nfs_url *u = nfs_parse_url_dir(nfs, opt.url);
    if (!u) { fprintf(stderr, "nfsfuse: %s: %s\n", opt.url, nfs_get_error(nfs)); return 64; }
    srv_host = strdup(u->server);
    srv_export = strdup(u->path && *u->path ? u->path : "/");
    nfs_destroy_url(u);
    /* libnfs's own caches off: the kernel's FUSE caches, with the timeouts above, are the client's. */
    nfs_set_dircache(nfs, 0);
    if (getenv("NFSFUSE_DEBUG")) nfs_set_debug(nfs, atoi(getenv("NFSFUSE_DEBUG")));
    char host[256] = "?", name[1024];
    gethostname(host, sizeof(host) - 1);
    const char *mnt = args.argc > 1 ? args.argv[args.argc - 1] : "?";
    if (opt.clientid) snprintf(name, sizeof(name), "%s", opt.clientid);
    else snprintf(name, sizeof(name), "nfsfuse:%s:%s:%d", host, mnt, (int)getpid());
    client_base = strdup(name);
    nfs4_set_client_name(nfs, client_base);
    /* Our own verifier, so that fetch_clientid can repeat libnfs's SETCLIENTID. */
    uint64_t v = ((uint64_t)time(NULL) << 32) ^ ((uint64_t)getpid() << 8) ^ 0x6e66737566757365ull;
    memcpy(verifier, &v, sizeof(verifier));
    nfs4_set_verifier(nfs, verifier);
    if (nfs_mount(nfs, srv_host, srv_export) != 0) {
        fprintf(stderr, "nfsfuse: mount %s:%s: %s\n", srv_host, srv_export, nfs_get_error(nfs));
        return 69;
    }
    if (renew_every > 0 && fetch_clientid() != 0)
        fprintf(stderr, "nfsfuse: warning: no client ID for RENEW; the lease lapses when the mount is idle\n");
    seqid_repair = seqid_layout_ok(nfs, client_base, verifier, have_clientid ? &clientid : NULL);
    if (!seqid_repair)
        fprintf(stderr, "nfsfuse: warning: libnfs's context is not laid out as 4.0.0's: failed OPENs will "
                "put the open owner's sequence number out of step (see open_failed)\n");
    fuse_opt_add_arg(&args, "-osubtype=nfsfuse");
    char fsname[PATH_MAX + 300];
    snprintf(fsname, sizeof(fsname), "-ofsname=%s:%s", srv_host, srv_export);
    fuse_opt_add_arg(&args, fsname);
    int rc = fuse_main(args.argc, args.argv, &ops, NULL);
    fuse_opt_free_args(&args);
    return rc;
}

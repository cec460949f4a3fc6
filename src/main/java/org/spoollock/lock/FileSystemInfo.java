package org.spoollock.lock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the filesystem holding a mailbox does with each lock method, so that spoollock never
 * silently takes a lock that excludes nobody.
 *
 * @param type      the mount's type from /proc/mounts (via FileStore.type()), e.g. ext4, nfs4, fuse.sshfs
 * @param effective the requested methods that exclude other hosts' and processes' locks here
 * @param skipped   the requested methods not taken here
 * @param warnings  one sentence per method that is weaker or skipped here
 */
public record FileSystemInfo(String type, Set<LockMethod> effective, Set<LockMethod> skipped, List<String> warnings) {

    public boolean isNfs() {
        return nfs(type);
    }

    /**
     * NFS, or spooltest's NFS client (fuse.nfsfuse: FUSE over libnfs, one NFSv4 client per mount, its
     * flock and POSIX locks NFSv4 locks on the server, as the kernel client's): judged as the kernel's.
     */
    private static boolean nfs(String type) {
        return type.startsWith("nfs") || type.equals("fuse.nfsfuse");
    }

    /**
     * Whether the kernel lock layers in {@code held} keep out writers on every host that shares this
     * filesystem: flock or POSIX on a local filesystem, POSIX (lockd) on NFS. Not on FUSE (sshfs: local
     * to one client), not on CIFS/SMB (server-dependent), and not with no kernel layer at all: there
     * only the dot-lock excludes, so a reader must keep it while it reads.
     */
    public boolean kernelLocksExcludeOtherHosts(Set<LockMethod> held) {
        if (isNfs()) {
            return held.contains(LockMethod.OFD);
        }
        if (type.startsWith("fuse") || type.equals("cifs") || type.equals("smb3")) {
            return false;
        }
        return held.contains(LockMethod.FLOCK) || held.contains(LockMethod.OFD);
    }

    /** Local filesystems, on which rename(2) replaces an existing (even open) file atomically. */
    private static final Set<String> LOCAL_TYPES = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "zfs", "f2fs",
            "jfs", "reiserfs", "bcachefs", "overlay");

    /**
     * Whether rename(2) onto an existing name replaces it in one step. Not on network and FUSE
     * filesystems: when the target is open on this client (a breaker's observation of a lock, or any
     * waiter's), the NFS client and libfuse (sshfs) first move it aside and then rename, and a file
     * linked in between would be overwritten. Unknown types count as network ones.
     */
    public boolean renameReplacesAtomically() {
        return LOCAL_TYPES.contains(type);
    }

    /**
     * {@link #renameReplacesAtomically} for the filesystem of device {@code dev}, which holds {@code file}
     * (a lock file or hitching post); false, the safe side, if its type cannot be read.
     */
    static boolean renameReplacesAtomically(long dev, String file) {
        try {
            Path dir = Path.of(file).toAbsolutePath().getParent();
            return forDevice(dev, dir, Set.of()).renameReplacesAtomically();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether this client may believe a name absent that another client has made: NFS keeps negative
     * lookups until the directory's attributes are revalidated (acdirmin, 30 s by default), FUSE for its
     * negative entry timeout. Unknown types count as such. There, stat(2) cannot tell whether a killed
     * writer's note is there; an exclusive create can, the server deciding it.
     */
    public boolean mayCacheAbsentNames() {
        return !LOCAL_TYPES.contains(type);
    }

    /**
     * Whether syncfs(2) makes everything written on it durable. Local block filesystems only: on FUSE the
     * kernel writes its dirty pages to the daemon, but a daemon without a syncfs operation (libfuse's
     * high-level API has none) is never asked to persist them (spooltest/powerloss's layer lost a whole
     * Maildir migration that way); on NFS and CIFS what it asks of the server is not documented.
     * Elsewhere, fsync each file.
     */
    public boolean syncfsMakesDurable() {
        return LOCAL_TYPES.contains(type) && !type.equals("tmpfs");
    }

    private static final java.util.concurrent.ConcurrentHashMap<Long, String> TYPE_BY_DEVICE =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.ConcurrentHashMap<Long, String> JUDGED_AS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Judges open files on device {@code dev} as if on a filesystem of {@code type} (null: as what it is),
     * in this JVM: for tests that run the network-filesystem paths (no flock, readers keeping the
     * dot-lock, names asked of the server) on a local disk.
     */
    public static void judgeDeviceAs(long dev, String type) {
        if (type == null) {
            JUDGED_AS.remove(dev);
        } else {
            JUDGED_AS.put(dev, type);
        }
    }

    /**
     * The same for an open file on device {@code dev}, with the mount type cached per device (reading
     * it means parsing /proc/mounts, too slow for every lock). A device number names one mounted
     * filesystem until it is unmounted, after which a new mount gets a new number in practice.
     */
    public static FileSystemInfo forDevice(long dev, Path path, Set<LockMethod> requested) throws IOException {
        String type = JUDGED_AS.getOrDefault(dev, TYPE_BY_DEVICE.get(dev));
        if (type == null) {
            type = Files.getFileStore(path).type();
            TYPE_BY_DEVICE.put(dev, type);
        }
        return classify(type, requested);
    }

    /** Looks at the filesystem of an existing path (the mailbox, or its directory if it is missing). */
    public static FileSystemInfo of(Path path, Set<LockMethod> requested) throws IOException {
        Path p = Files.exists(path) ? path : path.toAbsolutePath().getParent();
        return classify(Files.getFileStore(p).type(), requested);
    }

    /** What each requested method does on a filesystem of the given type (as /proc/mounts names it). */
    public static FileSystemInfo classify(String fsType, Set<LockMethod> requested) {
        String type = fsType.toLowerCase(Locale.ROOT);
        Set<LockMethod> effective = EnumSet.noneOf(LockMethod.class);
        Set<LockMethod> skipped = EnumSet.noneOf(LockMethod.class);
        List<String> warnings = new ArrayList<>();
        for (LockMethod m : requested) {
            if (m == LockMethod.FLOCK && nfs(type)) {
                // Linux NFS turns flock into a whole-file POSIX lock on the server: it would conflict
                // with our own OFD lock on the same file, and c-client skips flock on NFS anyway.
                skipped.add(m);
                warnings.add("flock skipped on " + type + " (c-client skips it there too; the kernel would map it"
                        + " onto a POSIX lock): the dot-lock" + (requested.contains(LockMethod.OFD) ? " and the POSIX lock" : "")
                        + " exclude other hosts");
            } else if ((m == LockMethod.FLOCK || m == LockMethod.OFD) && type.startsWith("fuse") && !nfs(type)) {
                effective.add(m);
                warnings.add(m.name().toLowerCase(Locale.ROOT) + " on " + type + " is local to this host: it does not exclude"
                        + " other clients of the same files; only the dot-lock does");
            } else if ((m == LockMethod.FLOCK || m == LockMethod.OFD) && (type.equals("cifs") || type.equals("smb3"))) {
                effective.add(m);
                warnings.add(m.name().toLowerCase(Locale.ROOT) + " on " + type + " depends on the server and mount options;"
                        + " rely on the dot-lock");
            } else {
                effective.add(m);
            }
        }
        return new FileSystemInfo(type, effective, skipped, List.copyOf(warnings));
    }
}

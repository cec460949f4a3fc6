package org.spoollock.store.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;

/**
 * Who may read the files that hold a mailbox's bytes beside it (an append's note holds the whole message,
 * a rewrite's journal the rewritten part): exactly who may read the mailbox. Created with the mailbox's own
 * read and write bits (never execute, never more; the umask may take more away), and, when root made
 * them (the guardian, a root MDA), given to the mailbox's owner and group, so that the owner's next
 * session can finish or discard them. Before, they got the umask's mode: a 0600 mailbox's message
 * was readable by every local user, in a killed delivery's note for as long as it stayed.
 */
final class NoteAccess {
    private NoteAccess() {
    }

    /** The permissions for a note of a mailbox of mode {@code mode}: its rw bits for owner, group and others. */
    static FileAttribute<Set<PosixFilePermission>> like(int mode) {
        if ((mode & 0170000) != 0100000) {
            mode = 0600; // not a regular file (a link's own mode says nothing): owner only
        }
        Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        int[] masks = {0002, 0004, 0020, 0040, 0200, 0400};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & masks[i]) != 0) {
                p.add(bits[i]);
            }
        }
        p.add(PosixFilePermission.OWNER_READ); // our own note, always ours to read back
        p.add(PosixFilePermission.OWNER_WRITE);
        return PosixFilePermissions.asFileAttribute(p);
    }

    /** After root created {@code note}: the mailbox's owner and group get it (a no-op for anyone else). */
    static void giveToOwner(Path note, Stat mailbox) throws IOException {
        Posix posix = Posix.get();
        if (posix.geteuid() == 0 && (mailbox.uid() != 0 || mailbox.gid() != 0)) {
            posix.lchown(note.toString(), mailbox.uid(), mailbox.gid());
        }
    }
}

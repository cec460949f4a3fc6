package org.spoollock.store.maildir;

import java.io.IOException;
import java.nio.file.Path;

import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;

/**
 * Who the files we make in a Maildir belong to. Run as root (the LMTP service, {@code deliver} from an
 * MTA running as root), every file and directory we create would be root's, mode 0600, and the user's
 * Dovecot could not read them; so each is given to the owner of the directory it is made in (the
 * Maildir, or for a new one the directory that holds it), as Dovecot's LDA writes as the user. Not as
 * root, or in a directory root owns, files stay ours.
 */
final class MaildirOwner {
    private final int uid;
    private final int gid;

    private MaildirOwner(int uid, int gid) {
        this.uid = uid;
        this.gid = gid;
    }

    /** The owner to give new files under {@code dir} to, or null: they stay ours. */
    static MaildirOwner of(Path dir) throws IOException {
        Posix posix = Posix.get();
        if (posix.geteuid() != 0) {
            return null;
        }
        Stat st = posix.stat(dir.toAbsolutePath().toString());
        return st.uid() == 0 ? null : new MaildirOwner(st.uid(), st.gid());
    }

    /** Gives {@code p} (never following a symbolic link) to the owner; nothing for null. */
    static void give(MaildirOwner owner, Path p) throws IOException {
        if (owner != null) {
            Posix.get().lchown(p.toString(), owner.uid, owner.gid);
        }
    }
}

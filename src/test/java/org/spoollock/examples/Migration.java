package org.spoollock.examples;

import java.io.IOException;
import java.nio.file.Path;

import org.spoollock.store.Copy;
import org.spoollock.store.MailboxFormat;
import org.spoollock.store.mbox.MboxMailbox;
import org.spoollock.store.tenex.TenexMailbox;

// example: migration
/** A migration script: mbox to tenex, verified, resumable after an interruption. */
public final class Migration {
    private Migration() {
    }

    /** Copies, verifies, and says what the target format could not keep; false if anything differs. */
    public static boolean migrate(Path mbox, Path tenex, boolean resume) throws IOException {
        Copy.Options options = new Copy.Options(MailboxFormat.TENEX, resume,
                done -> System.err.print("\r" + done + " messages"),           // progress
                MboxMailbox.Options.defaults(), TenexMailbox.Options.defaults());
        Copy.Result r = Copy.run(MailboxFormat.parse(mbox.toString()), MailboxFormat.parse(tenex.toString()), options);
        System.err.println();
        r.notes().forEach(n -> System.err.println("note: " + n));                 // e.g. UIDs tenex cannot keep
        r.differences().forEach(d -> System.err.println("difference: " + d));
        return r.differences().isEmpty();
    }
}
// end

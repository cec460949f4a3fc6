package org.spoollock.examples;

import java.io.IOException;
import java.nio.file.Path;

import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;
import org.spoollock.store.VerifiedCopy;

// example: migration
/** A migration script: mbox to tenex, verified, resumable after an interruption. */
public final class Migration {
    private Migration() {
    }

    /** Copies, verifies, and says what the target format could not keep; false if anything differs. */
    public static boolean migrate(Path mbox, Path tenex, boolean resume) throws IOException {
        VerifiedCopy.Options options = new VerifiedCopy.Options("tenex", resume,
                done -> System.err.print("\r" + done + " messages"),           // progress
                StoreOptions.defaults());
        VerifiedCopy.Result r = VerifiedCopy.run(MailboxRef.of(mbox), MailboxRef.of(tenex), options);
        System.err.println();
        r.notes().forEach(n -> System.err.println("note: " + n));                 // e.g. UIDs tenex cannot keep
        r.differences().forEach(d -> System.err.println("difference: " + d));
        return r.differences().isEmpty();
    }
}
// end

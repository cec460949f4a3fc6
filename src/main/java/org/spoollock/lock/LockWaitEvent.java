package org.spoollock.lock;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR: one mailbox lock acquisition, from the first try to held or given up (docs/operations.md). */
@Name("spoollock.LockWait")
@Label("Mailbox lock wait")
@Category({"spoollock", "Locks"})
@Description("A MailboxLock acquisition: how long it waited, and who held the lock when it gave up")
@StackTrace(false)
final class LockWaitEvent extends jdk.jfr.Event {
    @Label("Mailbox")
    String mailbox;
    @Label("Mode")
    String mode;
    @Label("Outcome")
    @Description("acquired, or the exception that ended the wait")
    String outcome;
    @Label("Detail")
    @Description("for a timeout: the holder as the lock files name it")
    String detail;
}

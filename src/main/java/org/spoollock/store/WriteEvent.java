package org.spoollock.store;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR: a write to a mailbox under its locks: a delivery (append), a rewrite (flags, expunge) or the
 * recovery of a killed writer's work. Public for the format packages; see docs/operations.md.
 */
@Name("spoollock.Write")
@Label("Mailbox write")
@Category({"spoollock", "Store"})
@StackTrace(false)
public final class WriteEvent extends jdk.jfr.Event {
    @Label("Mailbox")
    public String mailbox;
    @Label("Kind")
    @Description("append, rewrite or recovery")
    public String kind;
    @Label("Messages")
    @Description("appended (append); -1 where not counted")
    public int messages = -1;
    @Label("Bytes")
    @DataAmount
    public long bytes;
    @Label("Detail")
    @Description("for a recovery: what was done")
    public String detail;
}

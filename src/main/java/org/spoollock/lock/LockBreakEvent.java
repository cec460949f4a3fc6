package org.spoollock.lock;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR: a dot-lock broken because its holder is gone (abandoned) or it went unchanged too long (stale). */
@Name("spoollock.LockBreak")
@Label("Dot-lock broken")
@Category({"spoollock", "Locks"})
@StackTrace(false)
final class LockBreakEvent extends jdk.jfr.Event {
    @Label("Lock file")
    String lock;
    @Label("Reason")
    @Description("abandoned (the holder is gone) or stale (unchanged for the stale period)")
    String reason;
    @Label("Holder")
    String holder;
    @Label("Age (s)")
    long ageSeconds;
}

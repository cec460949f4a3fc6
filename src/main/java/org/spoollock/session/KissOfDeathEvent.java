package org.spoollock.session;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR: a kiss of death (c-client's SIGUSR2 request for a mailbox) sent, or received and answered. */
@Name("spoollock.KissOfDeath")
@Label("Kiss of death")
@Category({"spoollock", "Sessions"})
@StackTrace(false)
final class KissOfDeathEvent extends jdk.jfr.Event {
    @Label("Mailbox")
    String mailbox;
    @Label("Direction")
    @Description("asked (we sent SIGUSR2 to the holder) or received")
    String direction;
    @Label("Other process")
    long pid;
    @Label("Given up")
    @Description("for a received request: whether this session gave the mailbox up")
    boolean given;
    @Label("Why")
    String why;
}

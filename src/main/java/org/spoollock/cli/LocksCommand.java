package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.spoollock.lock.DotLock;
import org.spoollock.lock.DotLockStatus;
import org.spoollock.lock.LockHolder;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spoollock locks MAILBOX}: who holds the mailbox now. */
@Command(name = "locks", mixinStandardHelpOptions = true,
        description = "Show what holds the mailbox's locks now: holder, age, stale or not, holder alive or not.")
final class LocksCommand implements Callable<Integer> {
    @Mixin
    LockOptionsMixin lockOptions;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Parameters(index = "0", paramLabel = "MAILBOX")
    Path mailbox;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        DotLockStatus s = DotLock.inspect(mailbox, lockOptions.dotLockOptions());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(s));
        } else {
            out.println("dot-lock " + describe(s));
        }
        out.flush();
        return ExitCodes.OK;
    }

    static String describe(DotLockStatus s) {
        if (!s.present()) {
            return s.lockPath() + ": free";
        }
        LockHolder h = s.holder();
        StringBuilder sb = new StringBuilder(s.lockPath()).append(": held by ").append(h.describe());
        h.startTicks().ifPresent(t -> sb.append(", started at tick ").append(t));
        sb.append("; age ").append(s.age().toSeconds()).append(" s (")
                .append(s.ageFromServerClock() ? "file server's clock" : "local clock: directory not writable")
                .append(")");
        sb.append("; holder ").append(switch (s.holderLiveness()) {
            case ALIVE -> "running";
            case DEAD -> "no longer running";
            default -> "liveness unknown (another host or no PID)";
        });
        sb.append("; ").append(s.stale() ? "STALE: the next locker will break it"
                : "not stale (breakable after " + s.staleAfter().toSeconds() + " s unchanged)");
        return sb.toString();
    }

    static String toJson(DotLockStatus s) {
        Json j = new Json().field("mailbox", s.lockPath().substring(0, s.lockPath().length() - ".lock".length()));
        Json d = new Json().field("path", s.lockPath()).field("present", s.present());
        if (s.present()) {
            LockHolder h = s.holder();
            d.field("format", h.format().name().toLowerCase(java.util.Locale.ROOT))
                    .field("pid", h.pid() > 0 ? h.pid() : null)
                    .field("host", h.host().isEmpty() ? null : h.host())
                    .field("startTicks", h.startTicks().isPresent() ? h.startTicks().getAsLong() : null)
                    .field("bootId", h.bootId().isEmpty() ? null : h.bootId())
                    .field("ageSeconds", s.age().toMillis() / 1000.0)
                    .field("ageClock", s.ageFromServerClock() ? "server" : "local")
                    .field("staleAfterSeconds", s.staleAfter().toSeconds())
                    .field("stale", s.stale())
                    .field("holderAlive", switch (s.holderLiveness()) {
                        case ALIVE -> Boolean.TRUE;
                        case DEAD -> Boolean.FALSE;
                        default -> null;
                    });
        }
        return j.raw("dotlock", d.toString()).toString();
    }
}

package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import org.spoollock.lock.DotLock;
import org.spoollock.lock.DotLockStatus;
import org.spoollock.lock.FileSystemInfo;
import org.spoollock.lock.KernelLocks;
import org.spoollock.lock.LockHolder;
import org.spoollock.lock.LockMethod;
import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;
import org.spoollock.session.SessionStatus;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spoollock locks MAILBOX}: who holds the mailbox now. */
@Command(name = "locks", mixinStandardHelpOptions = true,
        description = "Show what holds the mailbox's locks now: the dot-lock (holder, age, stale, alive), flock and POSIX"
                + " locks (from /proc/locks), and which lock methods work on its filesystem.")
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
        Set<LockMethod> methods = lockOptions.lockMethods();
        FileSystemInfo fs = FileSystemInfo.of(mailbox, methods);
        Stat st = Posix.get().lstatIfExists(mailbox.toString());
        List<KernelLocks.Entry> kernel = st == null ? List.of() : KernelLocks.on(st);
        SessionStatus session = st == null ? null : SessionStatus.of(mailbox, lockOptions.sessionDir);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json fsJson = new Json().field("type", fs.type())
                    .raw("effective", Json.array(fs.effective().stream().map(m -> Json.quote(name(m))).toList()))
                    .raw("skipped", Json.array(fs.skipped().stream().map(m -> Json.quote(name(m))).toList()))
                    .raw("warnings", Json.array(fs.warnings().stream().map(Json::quote).toList()));
            Json locks = new Json().field("exists", st != null);
            locks.raw("kernelLocks", Json.array(kernel.stream().map(e -> new Json()
                    .field("kind", e.kind().toLowerCase(java.util.Locale.ROOT))
                    .field("exclusive", e.exclusive()).field("pid", e.pid() > 0 ? e.pid() : null)
                    .field("waiting", e.blocked()).toString()).toList()));
            String sessionJson = session == null ? "null" : new Json().field("path", session.name())
                    .field("present", session.present()).field("held", session.held())
                    .field("pid", session.pid() > 0 ? session.pid() : null)
                    .field("pidAlive", session.pid() > 0 ? session.pidAlive() : null).toString();
            out.println(toJson(s, locks.toString(), fsJson.toString()).replaceFirst("}$", ",\"session\":" + sessionJson + "}"));
        } else {
            out.println("dot-lock " + describe(s));
            if (st == null) {
                out.println("mailbox  " + mailbox + ": does not exist");
            } else if (kernel.isEmpty()) {
                out.println("mailbox  " + mailbox + ": no flock or POSIX locks");
            } else {
                for (KernelLocks.Entry e : kernel) {
                    out.println("mailbox  " + mailbox + ": " + e.describe());
                }
            }
            if (session != null) {
                out.println("session  " + session.describe());
            }
            out.println("filesystem " + fs.type() + ": effective " + fs.effective().stream().map(LocksCommand::name).toList()
                    + (fs.skipped().isEmpty() ? "" : ", skipped " + fs.skipped().stream().map(LocksCommand::name).toList()));
            for (String w : fs.warnings()) {
                out.println("warning: " + w);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static String name(LockMethod m) {
        return m.name().toLowerCase(java.util.Locale.ROOT);
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

    static String toJson(DotLockStatus s, String mailboxLocks, String fileSystem) {
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
        return j.raw("dotlock", d.toString()).raw("mailboxLocks", mailboxLocks).raw("filesystem", fileSystem).toString();
    }
}

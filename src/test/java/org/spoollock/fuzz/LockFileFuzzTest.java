package org.spoollock.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import org.spoollock.lock.DotLock;
import org.spoollock.lock.DotLockOptions;
import org.spoollock.lock.DotLockStatus;
import org.spoollock.lock.LockHolder;

/**
 * The dot-lock content reader: what {@code spoollock locks}, stale-lock breaking and lock-timeout
 * messages use to name a lock's holder. Lock files are written by c-client (empty), procmail ("0"),
 * liblockfile and Dovecot (a PID), spoollock (PID, then its identity line), or anything else.
 * {@link LockHolder#parse} promises never to throw: every content is classified.
 */
class LockFileFuzzTest {
    /** What {@code LockFiles.observe} reads of a lock file (LockHolder.MAX_READ). */
    private static final int READ = 4096;

    @FuzzTest(maxDuration = "10m")
    void lockFile(byte[] data) throws IOException {
        LockHolder h = LockHolder.parse(data);
        String text = new String(data, StandardCharsets.ISO_8859_1);
        assertEquals(text.isBlank(), h.format() == LockHolder.Format.EMPTY, "EMPTY exactly for blank contents");
        assertTrue(h.pid() >= 0 && h.pid() <= Integer.MAX_VALUE, "pid " + h.pid());
        switch (h.format()) {
            case EMPTY, UNRECOGNISED -> {
                assertEquals(0, h.pid());
                assertTrue(h.hostName().isEmpty());
            }
            case PID_ONLY -> {
                assertTrue(h.hostName().isEmpty());
                // the same PID as liblockfile writes it must read the same
                LockHolder plain = LockHolder.parse((h.pid() + "\n").getBytes(StandardCharsets.US_ASCII));
                assertEquals(LockHolder.Format.PID_ONLY, plain.format());
                assertEquals(h.pid(), plain.pid());
            }
            case SPOOLLOCK -> assertFalse(h.host().isEmpty(), "SPOOLLOCK without a host");
        }
        assertFalse(h.describe().contains("\n"), "describe() is one line: " + h.describe());

        // the same bytes as a lock file on disk, read the way `spoollock locks` reads it. A consistency check
        // (the file route against the in-memory parse of what it should have read), not an oracle of the
        // parse itself: it fails when the file route reads other bytes than the first READ (a short or
        // over-long read, a trim, a wrong descriptor). Which holder each peer's content names is checked
        // against hand-written literals of what each writer puts there in LockHolderTest.
        Path mailbox = Scratch.dir().resolve("fuzz-lock-mbox");
        Files.write(Path.of(mailbox + ".lock"), data);
        DotLockStatus s = DotLock.inspect(mailbox, DotLockOptions.defaults());
        assertTrue(s.present());
        assertEquals(LockHolder.parse(Arrays.copyOf(data, Math.min(data.length, READ))), s.holder(),
                "consistency: the holder read from the file differs from the holder parsed from its first " + READ + " bytes");
        if (h.format() != LockHolder.Format.SPOOLLOCK) {
            assertEquals(DotLockStatus.Liveness.UNKNOWN, s.holderLiveness(), "liveness claimed for a lock naming no process we can check");
        }
        assertFalse(s.describe().contains("\n"), "status describe() is one line: " + s.describe());
    }

    /**
     * Our own identity format: what spoollock writes for any plausible holder (a hostname of letters,
     * digits, '.', '-', '_'; a boot id; an acquisition token) reads back as that holder.
     */
    @FuzzTest(maxDuration = "10m")
    void identity(FuzzedDataProvider in) {
        long pid = in.consumeInt(1, 4_194_304); // Linux's pid_max limit
        String host = hostish(in.consumeString(64), 64);
        if (host.isEmpty()) {
            host = "localhost";
        }
        OptionalLong start = in.consumeBoolean() ? OptionalLong.of(in.consumeLong(0, Long.MAX_VALUE)) : OptionalLong.empty();
        String boot = in.consumeBoolean() ? hostish(in.consumeString(40), 40) : "";
        String token = in.consumeBoolean() ? hostish(in.consumeString(32), 32) : null;
        LockHolder h = new LockHolder(LockHolder.Format.SPOOLLOCK, pid, host, start, boot);
        byte[] written = h.render(token != null && token.isEmpty() ? null : token);
        assertTrue(written.length <= READ, "lock contents longer than the reader reads");
        assertEquals(h, LockHolder.parse(written), "our own lock file does not read back: "
                + new String(written, StandardCharsets.US_ASCII));
    }

    private static String hostish(String s, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_') {
                b.append(c);
            }
        }
        return b.toString();
    }
}

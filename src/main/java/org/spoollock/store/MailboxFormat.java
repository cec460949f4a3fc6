package org.spoollock.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The three formats spoollock reads and writes, told apart by content as c-client's drivers tell
 * them (a VALID From_ line: mbox; an internal header line ending LF: tenex, CRLF: mtx), or forced
 * by a prefix on the name: {@code mbox:}, {@code tenex:}, {@code mtx:} (which also chooses the
 * format of a mailbox that does not exist yet or is empty; mbox otherwise).
 */
public enum MailboxFormat {
    MBOX, TENEX, MTX;

    /** A mailbox named on a command line: its path and the format its prefix forces, if any. */
    public record Ref(MailboxFormat forced, Path path) {
        @Override
        public String toString() {
            return (forced == null ? "" : forced.name().toLowerCase(Locale.ROOT) + ":") + path;
        }
    }

    private static final Pattern TENEX_HEADER = Pattern.compile(
            " ?\\d{1,2}-[A-Za-z]{3}-\\d{2,4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4},\\d+;\\d{12}");

    /** Parses {@code [mbox:|tenex:|mtx:]PATH}. */
    public static Ref parse(String arg) {
        for (MailboxFormat f : values()) {
            String prefix = f.name().toLowerCase(Locale.ROOT) + ":";
            if (arg.startsWith(prefix)) {
                return new Ref(f, Path.of(arg.substring(prefix.length())));
            }
        }
        return new Ref(null, Path.of(arg));
    }

    /** The format of an existing, non-empty file by its first line; null for a missing or empty one. */
    public static MailboxFormat detect(Path p) throws IOException {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) == 0) {
            return null;
        }
        byte[] head;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.allocate(1024);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // fill
            }
            head = java.util.Arrays.copyOf(b.array(), b.position());
        } catch (IOException e) {
            return null; // cannot tell: opening it for real gives the error, with the locks' wording
        }
        int nl = 0;
        while (nl < head.length && head[nl] != '\n') {
            nl++;
        }
        if (nl < head.length) {
            boolean cr = nl > 0 && head[nl - 1] == '\r';
            String line = new String(head, 0, cr ? nl - 1 : nl, StandardCharsets.ISO_8859_1);
            if (TENEX_HEADER.matcher(line).matches()) {
                return cr ? MTX : TENEX;
            }
        }
        return MBOX; // the mbox parser decides, with its own clear error, whether it really is one
    }

    /** The format to use for {@code ref}: forced, else detected, else mbox. */
    public static MailboxFormat of(Ref ref) throws IOException {
        if (ref.forced() != null) {
            return ref.forced();
        }
        MailboxFormat d = detect(ref.path());
        return d != null ? d : MBOX;
    }
}

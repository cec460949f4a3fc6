package org.spoollock.store.tenex;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The keyword list of tenex and mtx mailboxes. These formats store only bits; which keyword a bit
 * means comes from c-client's configuration, "set keywords a,b,c" in /etc/c-client.cf (env_unix.c:
 * dorc). c-client reads ~/.mminit too, but only in programs that allow user configuration, which
 * imapd and mailutil do not by default; so neither do we. Read the same way, the same bits mean the
 * same keywords to us and to c-client.
 */
public final class TenexKeywords {
    /** c-client's NUSERFLAGS and MAXUSERFLAG. */
    static final int MAX = 30;
    static final int MAX_LENGTH = 64;

    private TenexKeywords() {
    }

    /** The list c-client uses: "set keywords" in /etc/c-client.cf, or none. */
    public static List<String> configured() {
        return read(Path.of("/etc/c-client.cf"));
    }

    /** The user bits for keywords {@code names} (keyword i of {@code configured} is bit 29 - i); unknown ones refused. */
    static int userBits(List<String> configured, List<String> names, TenexFormat format) {
        int bits = 0;
        for (String k : names) {
            int i = indexOf(configured, k);
            if (i < 0) {
                throw new IllegalArgumentException("keyword \"" + k + "\" is not configured for " + format.driver()
                        + " mailboxes (they store only the keywords listed by \"set keywords\" in /etc/c-client.cf, as"
                        + " c-client does): configured are " + configured);
            }
            bits |= 1 << (29 - i);
        }
        return bits;
    }

    static int indexOf(List<String> configured, String k) {
        for (int i = 0; i < configured.size(); i++) {
            if (configured.get(i).equalsIgnoreCase(k)) {
                return i;
            }
        }
        return -1;
    }

    static List<String> read(Path rc) {
        List<String> out = new ArrayList<>();
        try {
            if (!Files.isReadable(rc)) {
                return out;
            }
            for (String line : Files.readAllLines(rc, StandardCharsets.ISO_8859_1)) {
                String l = line.strip();
                if (l.regionMatches(true, 0, "set keywords ", 0, 13)) {
                    for (String k : l.substring(13).split("[, ]+")) {
                        if (!k.isEmpty() && k.length() <= MAX_LENGTH && out.size() < MAX) {
                            out.add(k);
                        }
                    }
                    return out;
                }
            }
        } catch (IOException e) {
            // unreadable configuration: c-client ignores it too
        }
        return out;
    }
}

package org.spoollock.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What the CLI's deliver and flag used to parse themselves, now the library's, for every caller. */
class EnvelopeAndFlagsTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void anMtasFromLineIsTheEnvelopeAndIsTakenOff() {
        Envelope e = Envelope.split(b("From bounce@example.org  Wed Dec  2 05:53:22 1992\nSubject: x\n\nbody\n"));
        assertEquals("bounce@example.org", e.sender());
        assertArrayEquals(b("Subject: x\n\nbody\n"), e.body());
        Envelope none = Envelope.split(b("Subject: From me\n\nFrom here\n"));
        assertNull(none.sender());
        assertEquals("Subject: From me\n\nFrom here\n", new String(none.body(), StandardCharsets.ISO_8859_1));
        assertEquals(0, Envelope.split(b("From a@b Wed Dec  2 05:53:22 1992")).body().length, "only an envelope line");
    }

    @Test
    void flagNamesParseToBitsAndCheckedKeywords() {
        Flags.Named n = Flags.parse(List.of("\\seen,work", "\\Flagged later"));
        assertEquals(Flags.SEEN | Flags.FLAGGED, n.system());
        assertEquals(List.of("work", "later"), n.keywords());
        IllegalArgumentException recent = assertThrows(IllegalArgumentException.class, () -> Flags.parse(List.of("\\Recent")));
        assertTrue(recent.getMessage().contains("unknown system flag \\Recent"), recent.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Flags.parse(List.of("a\"b")));
        assertTrue(bad.getMessage().contains("is not a valid keyword"), bad.getMessage());
    }
}

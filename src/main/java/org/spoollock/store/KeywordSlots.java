package org.spoollock.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The keywords a format with a fixed number of named keyword slots (mbx, mix: c-client's 30) keeps in a
 * migration: the first names seen, each within the length the format allows; the others are noted once each
 * and left out, so the copy reports what it could not keep instead of failing half-way.
 */
public final class KeywordSlots {
    private final String format;
    private final int max;
    private final int maxLength;
    private final List<String> kept = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public KeywordSlots(String format, int max, int maxLength) {
        this.format = format;
        this.max = max;
        this.maxLength = maxLength;
    }

    /** Of {@code keywords}, those the format keeps (matched case-insensitively, as c-client matches them). */
    public List<String> keep(List<String> keywords) {
        List<String> names = new ArrayList<>();
        for (String k : keywords) {
            boolean known = kept.stream().anyMatch(k::equalsIgnoreCase);
            if (!known && kept.size() < max && k.length() <= maxLength) {
                kept.add(k);
                known = true;
            }
            if (known) {
                names.add(k);
            } else {
                String note = "keyword " + k + ": " + format + " keeps " + max + " keywords of up to " + maxLength
                        + " bytes: not copied";
                if (!notes.contains(note)) {
                    notes.add(note);
                }
            }
        }
        return names;
    }

    /** What was left out, each said once. */
    public List<String> notes() {
        return List.copyOf(notes);
    }
}

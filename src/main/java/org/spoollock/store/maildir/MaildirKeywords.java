package org.spoollock.store.maildir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.spoollock.store.BadMailboxException;
import org.spoollock.store.StorageException;

/**
 * {@code dovecot-keywords} as Dovecot 2.3 keeps it (maildir-keywords.c): lines {@code <index> <name>},
 * index 0..25 standing for the letter 'a'..'z' in file names' flags. A keyword's letter never changes
 * once given (files carry it), so new names are only added, under the uidlist's lock and the file's
 * own dot-lock (as Dovecot adds them), and the file is replaced whole by renaming the lock over it.
 */
final class MaildirKeywords {
    static final String NAME = "dovecot-keywords";
    /** Letters 'a'..'z'. */
    static final int MAX = 26;

    private final String[] names;

    private MaildirKeywords(String[] names) {
        this.names = names;
    }

    static MaildirKeywords empty() {
        return new MaildirKeywords(new String[MAX]);
    }

    /** The keywords of {@code dir} (none if it has no file). */
    static MaildirKeywords read(Path dir) throws IOException {
        Path p = dir.resolve(NAME);
        String text;
        try {
            text = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return empty();
        }
        String[] names = new String[MAX];
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            int sp = line.indexOf(' ');
            int idx = -1;
            try {
                idx = sp > 0 ? Integer.parseInt(line.substring(0, sp)) : -1;
            } catch (NumberFormatException e) {
                // below
            }
            if (idx < 0 || sp + 1 >= line.length()) {
                throw new BadMailboxException(p + ", line " + (i + 1) + ": not \"<index> <keyword>\": \""
                        + MaildirUidList.printable(line) + "\"");
            }
            if (idx < MAX) { // Dovecot ignores indexes it has no letter for, and so do we
                names[idx] = line.substring(sp + 1);
            }
        }
        return new MaildirKeywords(names);
    }

    /** The keyword of letter index {@code i}, or null. */
    String name(int i) {
        return i >= 0 && i < MAX ? names[i] : null;
    }

    /** The index of {@code keyword} (case-insensitive, as IMAP compares keywords), or -1. */
    int indexOf(String keyword) {
        for (int i = 0; i < MAX; i++) {
            if (names[i] != null && names[i].equalsIgnoreCase(keyword)) {
                return i;
            }
        }
        return -1;
    }

    /** The names in use, by index. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }

    boolean full() {
        return Arrays.stream(names).noneMatch(n -> n == null);
    }

    /** These keywords as names, in letter order, for a file's keyword indexes (unknown letters left out). */
    List<String> namesOf(int[] indexes) {
        int[] sorted = indexes.clone();
        Arrays.sort(sorted);
        List<String> out = new ArrayList<>(sorted.length);
        for (int i : sorted) {
            String n = name(i);
            if (n != null && !out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * The indexes of {@code keywords} in {@code dir}'s file, adding those it lacks under its lock (another
     * writer may have added some meanwhile: the file is read again under the lock). Returns the keywords as
     * they are now, with the indexes in {@code out}.
     */
    static MaildirKeywords ensure(Path dir, MaildirKeywords known, List<String> keywords, int[] out, Duration timeout)
            throws IOException {
        if (known.fill(keywords, out)) {
            return known;
        }
        // Dovecot changes this file only while it holds the uidlist lock too (maildir-keywords.c relies on
        // it), so we take both, in its order: uidlist, then keywords
        try (MaildirDotLock uidlist = MaildirDotLock.acquire(dir.resolve(MaildirUidList.NAME), timeout);
             MaildirDotLock lock = MaildirDotLock.acquire(dir.resolve(NAME), timeout)) {
            MaildirKeywords now = read(dir);
            String[] names = now.names.clone();
            for (String k : keywords) {
                if (now.indexOf(k) < 0 && new MaildirKeywords(names).indexOf(k) < 0) {
                    int free = Arrays.asList(names).indexOf(null);
                    if (free < 0) {
                        throw new StorageException(StorageException.Category.INVALID_INPUT, dir.resolve(NAME)
                                + ": keyword \"" + k + "\" cannot be kept: all " + MAX + " keyword letters a-z are in use"
                                + " (" + now.names() + ")");
                    }
                    names[free] = k;
                }
            }
            MaildirKeywords grown = new MaildirKeywords(names);
            lock.replace(grown.text());
            grown.fill(keywords, out);
            return grown;
        }
    }

    /** Fills {@code out} with the indexes of {@code keywords}; false if one has none. */
    private boolean fill(List<String> keywords, int[] out) {
        for (int i = 0; i < keywords.size(); i++) {
            out[i] = indexOf(keywords.get(i));
            if (out[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** A copy with the keywords added in memory (for a migration, which writes the file at its end). */
    MaildirKeywords adding(List<String> keywords) throws StorageException {
        String[] n = names.clone();
        for (String k : keywords) {
            if (new MaildirKeywords(n).indexOf(k) < 0) {
                int free = Arrays.asList(n).indexOf(null);
                if (free < 0) {
                    throw new StorageException(StorageException.Category.INVALID_INPUT, "keyword \"" + k
                            + "\" cannot be kept: all " + MAX + " Maildir keyword letters a-z are in use");
                }
                n[free] = k;
            }
        }
        return new MaildirKeywords(n);
    }

    /**
     * Writes these keywords as the file (a migration's, which gave letters in memory), under its lock; refused
     * if another writer gave one of our letters to another keyword meanwhile. The caller holds the uidlist
     * lock (as Dovecot's writers of this file do).
     */
    void store(Path dir, Duration timeout) throws IOException {
        try (MaildirDotLock lock = MaildirDotLock.acquire(dir.resolve(NAME), timeout)) {
            MaildirKeywords now = read(dir);
            for (int i = 0; i < MAX; i++) {
                if (now.names[i] != null && !now.names[i].equals(names[i])) {
                    throw new StorageException(StorageException.Category.CHANGED, dir.resolve(NAME) + ": letter "
                            + (char) ('a' + i) + " was given to \"" + now.names[i] + "\" by another writer during the"
                            + " copy, which gave it to \"" + names[i] + "\"");
                }
            }
            lock.replace(text());
        }
    }

    byte[] text() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < MAX; i++) {
            if (names[i] != null) {
                b.append(i).append(' ').append(names[i]).append('\n');
            }
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}

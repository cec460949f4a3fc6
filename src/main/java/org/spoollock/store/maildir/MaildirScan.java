package org.spoollock.store.maildir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The message files of a Maildir, by base name: {@code new/} is listed before {@code cur/}, so a file
 * another process moves from new/ to cur/ meanwhile is seen at least once (in cur/ if twice). Names
 * beginning with a dot are not messages (Dovecot skips them too).
 */
final class MaildirScan {
    /** Where a message file is: "new" or "cur", and its name. */
    record Located(String dir, MaildirName name) {
    }

    private MaildirScan() {
    }

    static Map<String, Located> scan(Path root) throws IOException {
        Map<String, Located> out = new LinkedHashMap<>();
        for (String dir : List.of("new", "cur")) {
            Path d = root.resolve(dir);
            try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
                for (Path p : s) {
                    String f = p.getFileName().toString();
                    if (f.startsWith(".")) {
                        continue;
                    }
                    MaildirName n = MaildirName.parse(f);
                    out.put(n.base(), new Located(dir, n));
                }
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(d.toString(), null, "a Maildir's " + dir + "/ directory is missing");
            }
        }
        return out;
    }

    /** Where the message with base name {@code base} is now (another process may have renamed it), or null. */
    static Located find(Path root, String base) throws IOException {
        for (String dir : List.of("new", "cur")) {
            Path d = root.resolve(dir);
            Path exact = d.resolve(base);
            if (Files.exists(exact)) {
                return new Located(dir, MaildirName.parse(base));
            }
            // compared by hand, not by a glob: names may hold glob characters (Maildir writes '/' as \057)
            String prefix = base + MaildirName.SEPARATOR;
            try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
                for (Path p : s) {
                    String f = p.getFileName().toString();
                    if (f.startsWith(prefix)) {
                        return new Located(dir, MaildirName.parse(f));
                    }
                }
            }
        }
        return null;
    }

    /**
     * The uidlist made to agree with the files: records whose file is gone are dropped (expunged by
     * someone), files it lacks get UIDs from its next UID on, oldest delivery first as Dovecot orders
     * them. Null {@code list}: a new one with {@code newValidity}.
     */
    static MaildirUidList agreed(MaildirUidList list, Map<String, Located> files, long newValidity) {
        return agreed(list, files, newValidity, Map.of());
    }

    /**
     * As {@link #agreed(MaildirUidList, Map, long)}, but files a killed migration meant to have a UID
     * ({@code intended}, from {@link MaildirImportIntent#left}) get it first, in ascending order, where it
     * is still above every UID given; the other new files follow.
     */
    static MaildirUidList agreed(MaildirUidList list, Map<String, Located> files, long newValidity,
                                 Map<String, Long> intended) {
        MaildirUidList l = list != null ? list : new MaildirUidList(newValidity, 1, "", List.of());
        List<MaildirUidList.Record> kept = new ArrayList<>(l.records().size() + 16);
        Set<String> listed = new java.util.HashSet<>();
        for (MaildirUidList.Record r : l.records()) {
            if (files.containsKey(r.base())) {
                kept.add(r);
                listed.add(r.base());
            }
        }
        List<Map.Entry<String, Located>> fresh = new ArrayList<>();
        for (Map.Entry<String, Located> e : files.entrySet()) {
            if (!listed.contains(e.getKey())) {
                fresh.add(e);
            }
        }
        fresh.sort(Comparator.comparingLong((Map.Entry<String, Located> e) -> e.getValue().name().deliveredMicros())
                .thenComparing(Map.Entry::getKey));
        long next = l.nextUid();
        List<Map.Entry<String, Located>> meant = new ArrayList<>();
        for (Map.Entry<String, Located> e : fresh) {
            if (intended.containsKey(e.getKey())) {
                meant.add(e);
            }
        }
        meant.sort(Comparator.comparingLong(e -> intended.get(e.getKey())));
        for (Map.Entry<String, Located> e : meant) {
            long uid = intended.get(e.getKey());
            if (uid >= next) {
                kept.add(new MaildirUidList.Record(uid, "", e.getKey()));
                next = uid + 1;
                fresh.remove(e);
            }
        }
        for (Map.Entry<String, Located> e : fresh) {
            kept.add(new MaildirUidList.Record(next++, "", e.getKey()));
        }
        return l.with(next, kept);
    }

    /** The records of {@code list} by base name. */
    static Map<String, MaildirUidList.Record> byBase(MaildirUidList list) {
        Map<String, MaildirUidList.Record> m = new HashMap<>();
        for (MaildirUidList.Record r : list.records()) {
            m.put(r.base(), r);
        }
        return m;
    }
}

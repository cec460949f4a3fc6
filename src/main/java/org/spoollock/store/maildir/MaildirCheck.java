package org.spoollock.store.maildir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.spoollock.store.BadMailboxException;
import org.spoollock.store.MailboxDriver.CheckReport;

/**
 * Validates a Maildir, reading only (no uidlist is written, nothing moved): problems are what would make
 * Dovecot or us show wrong data (a uidlist or keywords file that does not parse, a size in a name that is
 * not the file's, a keyword letter with no name, the same message twice, something not a file among the
 * messages); notes are what the next open puts right by itself (files without a UID yet, records of
 * expunged files, old files in tmp/, files in the root that are neither Dovecot's nor Maildir's).
 */
final class MaildirCheck {
    private static final Set<String> KNOWN_ROOT = Set.of("cur", "new", "tmp", "maildirfolder", MaildirUidList.NAME,
            MaildirUidList.NAME + ".lock", MaildirKeywords.NAME, MaildirKeywords.NAME + ".lock", "subscriptions");

    private MaildirCheck() {
    }

    static CheckReport run(Path root) throws IOException {
        MaildirMailbox.requireMaildir(root);
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        MaildirUidList list = null;
        try {
            list = MaildirUidList.read(root);
        } catch (BadMailboxException e) {
            problems.add(e.getMessage());
        }
        MaildirKeywords keywords = MaildirKeywords.empty();
        try {
            keywords = MaildirKeywords.read(root);
        } catch (BadMailboxException e) {
            problems.add(e.getMessage());
        }
        Map<String, String> seen = new HashMap<>();
        int count = 0;
        for (String dir : List.of("new", "cur")) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(root.resolve(dir))) {
                for (Path p : s) {
                    String f = p.getFileName().toString();
                    if (f.startsWith(".")) {
                        continue;
                    }
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (!a.isRegularFile()) {
                        problems.add(p + ": not a regular file (a " + (a.isDirectory() ? "directory" : a.isSymbolicLink()
                                ? "symbolic link" : "special file") + ") among the messages");
                        continue;
                    }
                    count++;
                    MaildirName n = MaildirName.parse(f);
                    String twin = seen.put(n.base(), p.toString());
                    if (twin != null) {
                        problems.add(p + ": the same message (base name " + n.base() + ") is also " + twin);
                    }
                    for (char k : new char[] {'S', 'W'}) {
                        if (n.badField(k)) {
                            problems.add(p + ": bad name: its " + k + "= field is not a number");
                        }
                    }
                    if (n.size().isPresent() && n.size().getAsLong() != a.size()) {
                        problems.add(p + ": bad name: S=" + n.size().getAsLong() + " but the file has " + a.size()
                                + " bytes (Dovecot trusts S= and would serve the message cut or padded)");
                    }
                    if (n.info() != null && !n.info().startsWith("2,")) {
                        notes.add(p + ": info \"" + n.info() + "\" is not \"2,<flags>\": read as no flags");
                    }
                    for (int k : n.keywordIndexes()) {
                        if (keywords.name(k) == null) {
                            problems.add(p + ": keyword letter " + (char) ('a' + k) + " has no name in "
                                    + root.resolve(MaildirKeywords.NAME));
                        }
                    }
                }
            }
        }
        if (list != null) {
            int unlisted = 0;
            Map<String, MaildirUidList.Record> listed = MaildirScan.byBase(list);
            for (String base : seen.keySet()) {
                if (!listed.containsKey(base)) {
                    unlisted++;
                }
            }
            int vanished = 0;
            for (String base : listed.keySet()) {
                if (!seen.containsKey(base)) {
                    vanished++;
                }
            }
            if (unlisted > 0) {
                notes.add(root.resolve(MaildirUidList.NAME) + ": " + unlisted + " message(s) have no UID yet (new mail;"
                        + " the next open gives them UIDs)");
            }
            if (vanished > 0) {
                notes.add(root.resolve(MaildirUidList.NAME) + ": " + vanished + " record(s) name files no longer there"
                        + " (expunged; the next open drops them)");
            }
        } else if (problems.isEmpty()) {
            notes.add(root + ": no " + MaildirUidList.NAME + " yet (the next open makes one)");
        }
        long now = System.currentTimeMillis() / 1000;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root.resolve("tmp"))) {
            for (Path p : s) {
                long age = now - Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().getEpochSecond();
                if (age > MaildirDriver.TMP_STALE_SECONDS) {
                    notes.add(p + ": left in tmp/ " + age / 3600 + " hours ago by a killed writer (removed by a"
                            + " read-write open)");
                }
            }
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root)) {
            for (Path p : s) {
                String f = p.getFileName().toString();
                if (f.equals(MaildirImportIntent.NAME)) {
                    notes.add(p + ": a copy into this Maildir was interrupted; the next open gives its files the"
                            + " UIDs it chose, and copy --resume goes on");
                } else if (!KNOWN_ROOT.contains(f) && !f.startsWith("dovecot") && !f.startsWith(".")) {
                    notes.add(p + ": a stray file, not part of the Maildir (ignored)");
                }
            }
        }
        return new CheckReport(count, problems, notes);
    }
}

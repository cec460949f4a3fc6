package org.spoollock.store.maildir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.Changes;
import org.spoollock.store.Drivers;
import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxChangedException;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StorageErrors;
import org.spoollock.store.StorageException;
import org.spoollock.store.StoreOptions;
import org.spoollock.store.VerifiedCopy;

class MaildirMailboxTest {
    static final ZonedDateTime DATE = ZonedDateTime.of(2026, 11, 2, 5, 3, 22, 0, ZoneOffset.UTC);

    @TempDir
    Path dir;
    Path root;
    StoreOptions options;
    final MaildirDriver driver = new MaildirDriver();

    @BeforeEach
    void setUp() throws Exception {
        root = dir.resolve("Maildir");
        options = StoreOptions.defaults().withTimeout(Duration.ofSeconds(5))
                .withSession(SessionLockOptions.defaults().withDirectory(dir));
    }

    /** A Maildir as Dovecot leaves it after a delivery and an IMAP STORE (names as doveadm wrote them here). */
    private void dovecotLike() throws Exception {
        for (String d : List.of("cur", "new", "tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        write("cur/1796318721.M557578P12466.vm,S=19,W=22:2,FSab", "Subject: one\n\nbody\n", 1_700_000_000L);
        write("new/1796318722.M1P12467.vm,S=20,W=23", "Subject: two\n\nbody2\n", 1_700_000_100L);
        Files.writeString(root.resolve("dovecot-uidlist"), "3 V1796318721 N9 G9b6f482101a6116bb230000083ecc375\n"
                + "5 Gd41d8cd98f00b204e9800998ecf8427e :1796318721.M557578P12466.vm,S=19,W=22\n"
                + "8 :1796318722.M1P12467.vm,S=20,W=23\n");
        Files.writeString(root.resolve("dovecot-keywords"), "0 work\n1 $Label1\n");
        Files.writeString(root.resolve("dovecot.index.log"), "index data of Dovecot's own");
    }

    private void write(String name, String text, long mtime) throws Exception {
        Path p = root.resolve(name);
        Files.writeString(p, text);
        Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(mtime)));
    }

    private MailboxRef ref() {
        return MailboxRef.of(root);
    }

    @Test
    void readsDovecotsMaildirWithItsUidsFlagsKeywordsAndDates() throws Exception {
        dovecotLike();
        assertEquals("maildir", Drivers.driverFor(ref()).name());
        try (Mailbox m = Drivers.open(ref(), false, options)) {
            assertEquals(2, m.index().count());
            assertEquals(1796318721L, m.status().uidValidity());
            assertEquals(9, m.status().uidNext());
            assertEquals(5, m.index().uid(1));
            assertEquals(8, m.index().uid(2));
            assertEquals(Flags.SEEN | Flags.FLAGGED, m.index().flags(1));
            assertEquals(List.of("work", "$Label1"), m.index().keywords(1));
            assertEquals(0, m.index().flags(2));
            assertEquals(1_700_000_100L, m.index().internalDate(2).toEpochSecond());
            assertEquals(22, m.size(1));
            assertEquals("Subject: two\n\nbody2\n", new String(m.content(2), StandardCharsets.UTF_8));
            assertFalse(m.index().recent(2));
        }
        assertTrue(Files.exists(root.resolve("new/1796318722.M1P12467.vm,S=20,W=23")), "a read-only open moves nothing");
        try (Mailbox m = Drivers.open(ref(), true, options)) {
            assertTrue(m.index().recent(2));
            assertFalse(m.index().recent(1));
        }
        assertTrue(Files.exists(root.resolve("cur/1796318722.M1P12467.vm,S=20,W=23:2,")), "new/ to cur/ as Dovecot");
        String uidlist = Files.readString(root.resolve("dovecot-uidlist"));
        assertTrue(uidlist.contains("5 Gd41d8cd98f00b204e9800998ecf8427e :"), "Dovecot's extensions kept: " + uidlist);
    }

    @Test
    void flagsChangedByAnotherProgramAreFollowedAndAnExpungeByItIsHeldBackUntilOurs() throws Exception {
        dovecotLike();
        try (Mailbox m = Drivers.open(ref(), true, options)) {
            Path f = root.resolve("cur/1796318721.M557578P12466.vm,S=19,W=22:2,FSab");
            Files.move(f, root.resolve("cur/1796318721.M557578P12466.vm,S=19,W=22:2,RS"));
            assertEquals("Subject: one\n\nbody\n", new String(m.content(1), StandardCharsets.UTF_8));
            m.sync();
            assertEquals(Flags.SEEN | Flags.ANSWERED, m.index().flags(1));
            assertEquals(List.of(), m.index().keywords(1));
            // our change on top of theirs
            m.changes().setFlags(List.of(1), Flags.DRAFT, 0, List.of("new-one"), List.of()).commit();
            assertTrue(Files.exists(root.resolve("cur/1796318721.M557578P12466.vm,S=19,W=22:2,DRSc")));
            assertEquals("0 work\n1 $Label1\n2 new-one\n", Files.readString(root.resolve("dovecot-keywords")));
            try (var s = Files.list(root.resolve("cur"))) {
                for (Path p : s.toList()) {
                    if (p.getFileName().toString().startsWith("1796318722")) {
                        Files.delete(p);
                    }
                }
            }
            MailboxChangedException e = assertThrows(MailboxChangedException.class, () -> m.content(2));
            assertTrue(e.getMessage().contains("UID 8 was expunged by another program"), e.getMessage());
            // numbers hold until our own expunge, which tells of theirs too (as IMAP's EXPUNGE responses)
            write("new/1796318800.M1P1.vm,S=4,W=6", "new\n", 1_700_000_200L);
            assertEquals(1, m.sync());
            assertEquals(3, m.index().count());
            assertEquals(8, m.index().uid(2));
            assertEquals(9, m.index().uid(3));
            assertEquals("new\n", new String(m.content(3), StandardCharsets.UTF_8));
            Changes.Committed c = m.changes().expunge().commit();
            assertEquals(List.of(2), c.expunged());
            assertEquals(2, m.index().count());
            assertEquals(List.of(5L, 9L), List.of(m.index().uid(1), m.index().uid(2)));
        }
        try (Mailbox m = Drivers.open(ref(), false, options)) {
            try (var s = Files.list(root.resolve("cur"))) {
                Files.delete(s.filter(p -> p.getFileName().toString().startsWith("1796318800")).findFirst().get());
            }
            MailboxChangedException e = assertThrows(MailboxChangedException.class, m::sync);
            assertTrue(e.getMessage().contains("UID 9 were expunged by another program; open the mailbox anew"),
                    e.getMessage());
        }
    }

    @Test
    void aMessageWhoseNameHoldsGlobCharactersIsFoundAgainAfterAnotherProgramRenamedIt() throws Exception {
        for (String d : List.of("cur", "new", "tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        String base = "1700000000.M1P1.a\\057b[1]*{x},S=4";
        write("cur/" + base + ":2,", "a\nb\n", 1_700_000_000L);
        try (Mailbox m = Drivers.open(ref(), true, options)) {
            Files.move(root.resolve("cur/" + base + ":2,"), root.resolve("cur/" + base + ":2,S"));
            assertEquals("a\nb\n", new String(m.content(1), StandardCharsets.US_ASCII));
            m.changes().setFlags(List.of(1), Flags.FLAGGED, 0, List.of(), List.of()).commit();
        }
        assertTrue(Files.exists(root.resolve("cur/" + base + ":2,FS")), "their \\Seen and our \\Flagged");
    }

    @Test
    void aUidlistThatDisagreesIsRefusedNamingTheFileAndLine() throws Exception {
        dovecotLike();
        Files.writeString(root.resolve("dovecot-uidlist"), "3 V1 N5\n7 :1796318722.M1P12467.vm,S=20,W=23\n"
                + "6 :1796318721.M557578P12466.vm,S=19,W=22\n");
        Exception e = assertThrows(Exception.class, () -> Drivers.open(ref(), false, options).close());
        assertEquals(StorageException.Category.INVALID_DATA, StorageErrors.categoryOf(e));
        assertEquals(root.resolve("dovecot-uidlist") + ", line 3: UID 6 is not above the one before it (7)",
                e.getMessage());
        MailboxDriver.CheckReport r = driver.check(ref(), options);
        assertFalse(r.sound());
    }

    @Test
    void strayFilesAreLeftAloneAndBadNamesAreProblemsOfTheCheck() throws Exception {
        dovecotLike();
        Files.writeString(root.resolve("cur/.nfs0001"), "not a message");
        Files.writeString(root.resolve("notes.txt"), "someone's file");
        try (Mailbox m = Drivers.open(ref(), false, options)) {
            assertEquals(2, m.index().count());
        }
        MailboxDriver.CheckReport ok = driver.check(ref(), options);
        assertTrue(ok.sound(), ok.problems().toString());
        assertTrue(ok.notes().toString().contains("notes.txt: a stray file"), ok.notes().toString());
        write("cur/1796318799.M1P1.vm,S=999:2,Sz", "Subject: three\n\n", 1_700_000_000L);
        Files.createDirectory(root.resolve("new/a-directory"));
        MailboxDriver.CheckReport r = driver.check(ref(), options);
        String all = r.problems().toString();
        assertTrue(all.contains("S=999 but the file has 16 bytes"), all);
        assertTrue(all.contains("keyword letter z has no name"), all);
        assertTrue(all.contains(root.resolve("new/a-directory") + ": not a regular file"), all);
    }

    @Test
    void deliveryWhileTheUidlistIsLockedLeavesNewMailForTheNextOpen() throws Exception {
        driver.create(ref(), options);
        NewMessage m1 = NewMessage.of("Subject: a\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII), DATE);
        driver.append(ref(), List.of(m1), false, options);
        try (MaildirDotLock held = MaildirDotLock.acquire(root.resolve("dovecot-uidlist"), Duration.ofSeconds(1))) {
            driver.append(ref(), List.of(m1), false, options);
        }
        String uidlist = Files.readString(root.resolve("dovecot-uidlist"));
        assertEquals(2, uidlist.lines().count(), "the second delivery waited for nobody: " + uidlist);
        try (Mailbox m = Drivers.open(ref(), false, options)) {
            assertEquals(List.of(1L, 2L), List.of(m.index().uid(1), m.index().uid(2)));
            assertEquals("Subject: a\n\nx\n", new String(m.content(2), StandardCharsets.US_ASCII), "stored with LF");
            assertEquals(DATE.toEpochSecond(), m.index().internalDate(1).toEpochSecond());
        }
        try (var s = Files.list(root.resolve("new"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                long size = Files.size(p);
                assertTrue(n.contains(",S=" + size + ",W=" + (size + 3)), n);
            }
        }
    }

    /** As root (the LMTP service), everything made in a user's Maildir is the user's, or their Dovecot could not read it. */
    @Test
    void asRootWhatWeMakeInAUsersMaildirIsTheUsers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.spoollock.posix.Posix.get().geteuid() == 0, "needs root");
        Path home = Files.createDirectory(dir.resolve("home"));
        org.spoollock.posix.Posix.get().lchown(home.toString(), 4321, 4322);
        MailboxRef box = MailboxRef.of("maildir", home.resolve("Maildir"));
        NewMessage m = new NewMessage("Subject: x\n\ny\n".getBytes(StandardCharsets.US_ASCII), Flags.SEEN, List.of("work"),
                DATE, null);
        driver.append(box, List.of(m, NewMessage.of(m.content(), DATE)), true, options);
        driver.append(MailboxRef.of("maildir", home.resolve("Maildir/.Sent")), List.of(m), true, options);
        try (Mailbox open = Drivers.open(box, true, options)) {
            open.changes().append(m).setFlags(List.of(1), Flags.FLAGGED, 0, List.of("later"), List.of()).commit();
        }
        try (var all = Files.walk(home.resolve("Maildir"))) {
            for (Path p : all.toList()) {
                var st = org.spoollock.posix.Posix.get().lstat(p.toString());
                assertEquals(4321, st.uid(), p + " is the user's");
                assertEquals(4322, st.gid(), p + " is the user's group's");
            }
        }
    }

    @Test
    void aMaildirPlusPlusFolderIsASiblingWithMaildirfolder() throws Exception {
        driver.create(ref(), options);
        driver.create(MailboxRef.of(root.resolve(".Lists.work")), options);
        assertTrue(Files.exists(root.resolve(".Lists.work/maildirfolder")));
        assertFalse(Files.exists(root.resolve("maildirfolder")));
        assertEquals(MailboxDriver.Probe.MINE, driver.probe(MailboxRef.of(root.resolve(".Lists.work")), null));
    }

    @Test
    void aCopyFromMboxKeepsUidsUidvalidityFlagsAndKeywordsAndWritesTheUidlistLast() throws Exception {
        Path src = dir.resolve("src");
        MailboxRef mbox = MailboxRef.of("mbox", src);
        Drivers.named("mbox").create(mbox, options);
        List<NewMessage> all = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            all.add(new NewMessage(("Subject: " + i + "\r\n\r\nbody " + i + "\r\n").getBytes(StandardCharsets.US_ASCII),
                    i % 2 == 0 ? Flags.SEEN : Flags.FLAGGED, List.of(), DATE.plusMinutes(i), null));
        }
        Drivers.named("mbox").append(mbox, all, false, options);
        long validity;
        List<Long> uids = new ArrayList<>();
        try (Mailbox m = Drivers.open(mbox, true, options)) {
            m.changes().setFlags(List.of(3, 6, 9), 0, 0, List.of("work", "$Label1"), List.of()).commit();
            m.changes().setFlags(List.of(1, 2), Flags.DELETED, 0, List.of(), List.of()).expunge().commit();
            validity = m.status().uidValidity();
            for (int n = 1; n <= m.index().count(); n++) {
                uids.add(m.index().uid(n));
            }
        }
        VerifiedCopy.Result r = VerifiedCopy.run(mbox, MailboxRef.of("maildir", root),
                new VerifiedCopy.Options(null, false, null, options));
        assertEquals(List.of(), r.differences());
        assertEquals(38, r.copied());
        assertFalse(Files.exists(root.resolve("dovecot-uidlist.lock")));
        try (Mailbox m = Drivers.open(MailboxRef.of(root), false, options)) {
            assertEquals(validity, m.status().uidValidity());
            assertEquals(3L, m.index().uid(1));
            for (int n = 1; n <= m.index().count(); n++) {
                assertEquals(uids.get(n - 1), m.index().uid(n));
            }
            assertEquals(List.of("work", "$Label1"), m.index().keywords(1));
            assertTrue(m.status().uidNext() > 40);
        }
        // and back: the Maildir as a copy's source, into mbox, keeps them all as well
        VerifiedCopy.Result back = VerifiedCopy.run(MailboxRef.of(root), MailboxRef.of("mbox", dir.resolve("back")),
                new VerifiedCopy.Options(null, false, null, options));
        assertEquals(List.of(), back.differences());
        try (Mailbox m = Drivers.open(MailboxRef.of("mbox", dir.resolve("back")), false, options)) {
            assertEquals(validity, m.status().uidValidity());
            assertEquals(uids.get(37), m.index().uid(38));
        }
    }
}

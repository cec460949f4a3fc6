package org.spoollock.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeCopyTest {
    @TempDir
    Path dir;

    private static List<NewMessage> messages(int n) {
        return java.util.stream.IntStream.rangeClosed(1, n).mapToObj(i -> new NewMessage(("Subject: " + i + "\n\nb " + i
                + "\n").getBytes(StandardCharsets.ISO_8859_1), 0, List.of(), ZonedDateTime.of(2026, 1, 2, 3, 4, 5, 0,
                ZoneOffset.UTC), "s@example.org")).toList();
    }

    @Test
    void theTreeIsWalkedAsAUserSFolders() throws Exception {
        Path tree = dir.resolve("mail");
        Files.createDirectories(tree.resolve("a/b"));
        StoreOptions so = StoreOptions.defaults().withKeywords(List.of());
        Drivers.append(MailboxRef.of(tree.resolve("inbox-old")), messages(2), true, so);
        Drivers.append(new MailboxRef("mmdf", tree.resolve("a/b/deep").toString()), messages(1), true, so);
        Drivers.append(new MailboxRef("tenex", tree.resolve("a/t").toString()), messages(3), true, so);
        Files.writeString(tree.resolve("readme"), "not mail\n");
        Files.writeString(tree.resolve(".hidden"), "x\n");
        Files.writeString(tree.resolve("gone.lock"), ""); // a lock of no folder here: a lock beside inbox-old would hold its copy up for 300 s
        Files.createFile(tree.resolve("empty"));
        Files.createSymbolicLink(tree.resolve("link"), tree.resolve("inbox-old"));
        TreeCopy.Plan plan = TreeCopy.plan(tree);
        assertEquals(Map.of("a/b/deep", "mmdf", "a/t", "tenex", "empty", "mbox", "inbox-old", "mbox"),
                plan.folders().stream().collect(Collectors.toMap(TreeCopy.Folder::name, f -> f.driver().name())));
        assertEquals(Map.of("readme", "not a mailbox of any format spoollock reads", ".hidden", "a hidden file",
                "gone.lock", "a lock file", "link", "a symbolic link (not followed)"),
                plan.skipped().stream().collect(Collectors.toMap(TreeCopy.Skipped::name, TreeCopy.Skipped::why)));

        Path out = dir.resolve("out");
        List<TreeCopy.FolderResult> r = TreeCopy.run(plan, MailboxRef.of(out), "mmdf", false, null, so);
        assertTrue(r.stream().allMatch(TreeCopy.FolderResult::verified), r.toString());
        try (Mailbox m = Drivers.open(MailboxRef.of(out.resolve("a/t")), false, so)) {
            assertEquals("mmdf", m.driver().name());
            assertEquals(3, m.index().count());
        }
        assertEquals(0L, Files.size(out.resolve("empty")), "an empty folder stays an empty file");
        // again with --resume: each folder verified, nothing copied twice
        List<TreeCopy.FolderResult> again = TreeCopy.run(plan, MailboxRef.of(out), "mmdf", true, null, so);
        assertEquals(List.of(0, 0, 0, 0), again.stream().map(f -> f.result().copied()).toList());
        assertTrue(again.stream().allMatch(TreeCopy.FolderResult::verified));
        // and without it, a target holding messages is refused, folder by folder (the empty one is not), each reported
        List<TreeCopy.FolderResult> refused = TreeCopy.run(plan, MailboxRef.of(out), "mmdf", false, null, so);
        assertEquals(3, refused.stream().filter(f -> f.error() instanceof VerifiedCopy.TargetNotEmptyException).count());
    }
}

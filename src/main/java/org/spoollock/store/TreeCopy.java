package org.spoollock.store;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A user's folder tree (UW imapd's {@code ~/mail}: files and directories of any format, sub-directories
 * as levels) copied folder by folder, each by a {@link VerifiedCopy}, into another tree: a directory of
 * any local format, a Maildir++ tree, an IMAP server's folders; each format places a folder by its own
 * naming ({@link MailboxDriver#child}). A folder that fails or differs does not stop the others: every
 * folder's outcome is reported, and what is not a mailbox is listed with why it was skipped.
 *
 * <p>Resumable folder by folder: with {@code resume}, a folder already copied whole is verified again and
 * left alone, a folder copied in part goes on where it stopped (VerifiedCopy's rule), the rest are copied.
 */
public final class TreeCopy {
    private TreeCopy() {
    }

    /** A mailbox of the tree: its name (levels from the top, '/' between them), where it is, its format, its size. */
    public record Folder(List<String> levels, MailboxRef source, MailboxDriver driver, long bytes) {
        public String name() {
            return String.join("/", levels);
        }
    }

    /** Something in the tree that is not copied, and why. */
    public record Skipped(String name, String why) {
    }

    /** The folders to copy (in path order) and what is skipped. */
    public record Plan(List<Folder> folders, List<Skipped> skipped) {
    }

    /** One folder's outcome: its copy's result, or the error that stopped it (then result is null). */
    public record FolderResult(Folder folder, MailboxRef target, VerifiedCopy.Result result, IOException error) {
        public boolean verified() {
            return result != null && result.differences().isEmpty();
        }
    }

    /**
     * Walks {@code root}: a file or directory a driver recognises is a folder (a mailbox directory is not
     * entered: mix, Maildir), an empty file an empty mailbox of the default format; other directories are
     * levels. Hidden files (c-client's and spoollock's own: .mixmeta, .mailboxlist, notes), lock files,
     * symbolic links and files no format recognises are skipped.
     */
    public static Plan plan(Path root) throws IOException {
        List<Folder> folders = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new StorageException(StorageException.Category.NOT_FOUND, root + " is not a directory (copy --recursive"
                    + " copies a folder tree)");
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                if (dir.equals(root)) {
                    return FileVisitResult.CONTINUE;
                }
                String name = root.relativize(dir).toString();
                if (dir.getFileName().toString().startsWith(".")) {
                    skipped.add(new Skipped(name + "/", "a hidden directory"));
                    return FileVisitResult.SKIP_SUBTREE;
                }
                MailboxDriver d = Drivers.detect(MailboxRef.of(dir));
                if (d != null) {
                    folders.add(new Folder(levels(root, dir), MailboxRef.of(d.name(), dir), d, size(dir)));
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                String name = root.relativize(file).toString();
                String base = file.getFileName().toString();
                if (a.isSymbolicLink()) {
                    skipped.add(new Skipped(name, "a symbolic link (not followed)"));
                } else if (!a.isRegularFile()) {
                    skipped.add(new Skipped(name, "not a regular file"));
                } else if (base.startsWith(".")) {
                    skipped.add(new Skipped(name, "a hidden file"));
                } else if (base.endsWith(".lock")) {
                    skipped.add(new Skipped(name, "a lock file"));
                } else if (a.size() == 0) {
                    MailboxDriver d = Drivers.fallback();
                    folders.add(new Folder(levels(root, file), MailboxRef.of(d.name(), file), d, 0));
                } else {
                    MailboxDriver d = Drivers.detect(MailboxRef.of(file));
                    if (d == null) {
                        skipped.add(new Skipped(name, "not a mailbox of any format spoollock reads"));
                    } else {
                        folders.add(new Folder(levels(root, file), MailboxRef.of(d.name(), file), d, a.size()));
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                skipped.add(new Skipped(root.relativize(file).toString(), "cannot be read: " + e.getMessage()));
                return FileVisitResult.CONTINUE;
            }
        });
        folders.sort((x, y) -> x.name().compareTo(y.name()));
        return new Plan(List.copyOf(folders), List.copyOf(skipped));
    }

    private static List<String> levels(Path root, Path p) {
        List<String> l = new ArrayList<>();
        for (Path part : root.relativize(p)) {
            l.add(part.toString());
        }
        return l;
    }

    private static long size(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** Messages in every folder of the plan (for a progress bar of the whole tree). */
    public static long count(Plan plan, StoreOptions o) {
        long n = 0;
        for (Folder f : plan.folders()) {
            try (Mailbox m = f.driver().open(f.source(), false, o)) {
                n += m.index().count();
            } catch (IOException e) {
                // the folder's copy reports it
            }
        }
        return n;
    }

    /**
     * Copies each folder of the plan into the tree at {@code targetRoot}, in the format {@code targetFormat}
     * (null: the root's prefix, else each folder's own). {@code progress} hears the messages done in the whole
     * tree.
     */
    public static List<FolderResult> run(Plan plan, MailboxRef targetRoot, String targetFormat, boolean resume,
                                         LongConsumer progress, StoreOptions o) throws IOException {
        String fixed = targetFormat != null ? targetFormat : targetRoot.driver();
        boolean local = fixed == null || !Drivers.named(fixed).capabilities().contains(Capability.REMOTE);
        if (local) {
            if (fixed != null) {
                Drivers.named(fixed).createTreeRoot(targetRoot, o);
            } else {
                Files.createDirectories(targetRoot.path());
            }
        }
        List<FolderResult> out = new ArrayList<>();
        long[] before = {0};
        for (Folder f : plan.folders()) {
            // each folder in its own format
            MailboxDriver to = fixed != null ? Drivers.named(fixed) : f.driver();
            MailboxRef target;
            try {
                target = to.child(targetRoot, f.levels());
            } catch (IllegalArgumentException e) { // a name the target's naming cannot hold
                out.add(new FolderResult(f, null, null, new StorageException(StorageException.Category.INVALID_INPUT,
                        e.getMessage(), e)));
                continue;
            }
            LongConsumer inFolder = progress == null ? null : done -> progress.accept(before[0] + done);
            try {
                if (local && target.path().getParent() != null) {
                    Files.createDirectories(target.path().getParent());
                }
                VerifiedCopy.Result r = VerifiedCopy.run(f.source(), target, new VerifiedCopy.Options(to.name(), resume,
                        inFolder, o));
                out.add(new FolderResult(f, target, r, null));
                before[0] += r.total();
            } catch (IOException e) {
                out.add(new FolderResult(f, target, null, e));
            }
            if (progress != null) {
                progress.accept(before[0]);
            }
        }
        return out;
    }
}

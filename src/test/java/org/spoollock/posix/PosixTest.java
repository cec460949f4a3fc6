package org.spoollock.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


class PosixTest {
    private final Posix posix = Posix.get();

    @TempDir
    Path dir;

    /** A full /tmp stopped every command with "could not load FFI provider", naming neither /tmp nor the cause. */
    @Test
    void aLoadFailureNamesWhereJffiExtractsAndWhyThatFails() throws Exception {
        Path notADir = Files.writeString(dir.resolve("file"), "x"); // creating a file "in" it fails as /tmp full would
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("could not load FFI provider");
        e.initCause(new java.io.IOException("Unable to write jffi binary stub"));
        String m = Posix.loadFailure(e, notADir.toString());
        assertTrue(m.contains("could not load FFI provider") && m.contains("Unable to write jffi binary stub"), m);
        assertTrue(m.contains("jffi extracts its native stub into " + notADir) && m.contains("Not a directory"), m);
        // a usable directory adds no diagnosis
        assertFalse(Posix.loadFailure(e, dir.toString()).contains("jffi extracts"));
    }

    /** jffi puts stack traces into its errors' text: the command's error is still one line, naming the cause. */
    @Test
    void aLoadFailureIsOneLineEvenWhenJffiPutsStackTracesInItsMessage() throws Exception {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        String text = "java.io.IOException: Unable to write jffi binary stub to `/tmp`.\n\tat com.kenai.jffi.internal"
                + ".StubLoader.tempReadonlyError(StubLoader.java:569)\nCaused by: java.io.IOException: No such file";
        UnsatisfiedLinkError e = new UnsatisfiedLinkError(text);
        e.initCause(new UnsatisfiedLinkError(text));
        String m = Posix.loadFailure(e, notADir.toString());
        assertFalse(m.contains("\n"), m);
        assertTrue(m.contains("Unable to write jffi binary stub to `/tmp`.") && !m.contains("innermost"), m);
        assertTrue(m.contains("jffi extracts its native stub into " + notADir) && m.contains("Not a directory"), m);
    }

    /** No emulation to fall back on: a libc that cannot be bound stops the command, saying why. */
    @Test
    void libcThatCannotBeBoundIsATypedFailureNamingTheCause() {
        NativePosixUnavailableException e = assertThrows(NativePosixUnavailableException.class,
                () -> Posix.load(() -> {
                    throw new UnsatisfiedLinkError("could not load FFI provider");
                }));
        assertTrue(e.getMessage().contains("libc could not be bound") && e.getMessage().contains("could not load FFI provider"),
                e.getMessage());
        assertTrue(e.getCause() instanceof UnsatisfiedLinkError);
    }

    /**
     * stat, lstat and fstat come from statx: every field as the JDK's own stat reads it, st_dev above all
     * (c-client's session lock is /tmp/.DEV.INO in hex: a different number is a different lock).
     */
    @Test
    void statxGivesWhatStatGives() throws Exception {
        Path f = Files.write(dir.resolve("f"), new byte[12345]);
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2001-02-03T04:05:06.123456789Z")));
        Path link = Files.createSymbolicLink(dir.resolve("l"), f);
        for (Path p : new Path[] {f, dir, Path.of("/dev/null"), Path.of("/proc/self/status")}) {
            Stat st = posix.stat(p.toString());
            java.util.Map<String, Object> j = Files.readAttributes(p, "unix:*");
            assertEquals(((Number) j.get("dev")).longValue(), st.dev(), p + " dev");
            assertEquals(((Number) j.get("ino")).longValue(), st.ino(), p + " ino");
            assertEquals(((Number) j.get("nlink")).intValue(), st.nlink(), p + " nlink");
            assertEquals(((Number) j.get("mode")).intValue(), st.mode(), p + " mode");
            assertEquals(((Number) j.get("uid")).intValue(), st.uid(), p + " uid");
            assertEquals(((Number) j.get("gid")).intValue(), st.gid(), p + " gid");
            assertEquals(((Number) j.get("size")).longValue(), st.size(), p + " size");
            assertEquals(((java.nio.file.attribute.FileTime) j.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.NANOSECONDS),
                    st.mtimeNanos(), p + " mtime");
            assertEquals(((java.nio.file.attribute.FileTime) j.get("ctime")).to(java.util.concurrent.TimeUnit.NANOSECONDS),
                    st.ctimeNanos(), p + " ctime");
        }
        assertEquals(1_000_000_000L * java.time.Instant.parse("2001-02-03T04:05:06Z").getEpochSecond() + 123_456_789L,
                posix.stat(f.toString()).mtimeNanos());
        // lstat: the link itself; stat and fstat: what it names
        assertTrue(posix.lstat(link.toString()).isSymlink());
        assertEquals(posix.stat(f.toString()), posix.stat(link.toString()));
        int fd = posix.open(f.toString(), Posix.O_RDONLY, 0);
        try {
            assertEquals(posix.stat(f.toString()), posix.fstat(fd, f.toString()));
        } finally {
            posix.closeQuietly(fd);
        }
        // glibc's makedev for numbers beyond 8 bits of minor and 12 of major
        assertEquals(0x0000_0000_0000_0803L, StatxBuffer.dev(8, 3));
        assertEquals(0x0000_0000_1230_4567L, StatxBuffer.dev(0x045, 0x12367));
        assertEquals(0x0000_1000_0000_0000L, StatxBuffer.dev(0x1000, 0));
    }

    @Test
    void errnoBecomesATypedExceptionNamingOperationAndPath() throws Exception {
        String missing = dir.resolve("nope/file").toString();
        // the JDK's own types where it has one, so callers catch what java.nio throws
        java.nio.file.NoSuchFileException e = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> posix.open(missing, Posix.O_RDONLY, 0));
        assertEquals("open", ((PosixFailure) e).operation());
        assertEquals(2, ((PosixFailure) e).errno());
        assertEquals(missing, e.getFile());
        assertTrue(e.getMessage().startsWith("open " + missing + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());

        String f = dir.resolve("f").toString();
        posix.closeQuietly(posix.open(f, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL, 0600));
        java.nio.file.FileAlreadyExistsException exists = assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> posix.open(f, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL, 0600));
        assertTrue(exists.getMessage().contains("EEXIST"));
        assertTrue(exists instanceof PosixFailure);

        // EACCES and EPERM (root passes permission checks, so straight from the one translation point)
        for (int errno : new int[] {Errors.EACCES, Errors.EPERM}) {
            java.nio.file.FileSystemException denied = PosixException.of("open", "/x", null, errno);
            assertTrue(denied instanceof java.nio.file.AccessDeniedException && denied instanceof PosixFailure, denied.toString());
            assertEquals("open /x: " + Errors.describe(errno), denied.getMessage());
        }

        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, Path.of(f));
        PosixException loop = assertThrows(PosixException.SymlinkException.class,
                () -> posix.open(link.toString(), Posix.O_RDONLY | Posix.O_NOFOLLOW, 0));
        assertEquals("open", loop.operation());

        java.nio.file.NoSuchFileException rename = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> posix.rename(missing, f + "2"));
        assertEquals(f + "2", rename.getOtherFile());
        assertTrue(rename.getMessage().contains(missing + " -> " + f + "2"), rename.getMessage());
    }

    @Test
    void aNameIsTheFileTheJdkMeansByIt() throws Exception {
        // names go to libc encoded as the JDK encodes them for its own calls: one String, one file
        String name;
        try {
            name = Files.createFile(dir.resolve("caf\u00e9-\u00fcber")).toString();
        } catch (java.nio.file.InvalidPathException unmappable) {
            name = Files.createFile(dir.resolve("plain")).toString(); // an ASCII-only sun.jnu.encoding
        }
        Object key = Files.readAttributes(Path.of(name), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertEquals("(dev=" + Long.toHexString(posix.lstat(name).dev()) + ",ino=" + posix.lstat(name).ino() + ")",
                key.toString());
        posix.rename(name, name + "-2");
        assertTrue(Files.exists(Path.of(name + "-2")));
        posix.unlink(name + "-2");
        assertFalse(Files.exists(Path.of(name + "-2")));
        assertThrows(java.nio.file.InvalidPathException.class, () -> posix.lstat(dir + "/a\0b"));
    }

    @Test
    void linkReportsEexistAndStatSeesTheSecondName() throws Exception {
        String a = dir.resolve("a").toString();
        String b = dir.resolve("b").toString();
        int fd = posix.open(a, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL | Posix.O_CLOEXEC, 0644);
        try {
            assertEquals(0, posix.link(a, b));
            assertEquals(2, posix.fstat(fd, a).nlink());
            assertTrue(posix.lstat(a).sameFile(posix.lstat(b)));
            assertTrue(posix.link(a, b) != 0, "second link must report EEXIST");
            assertTrue(posix.unlinkIfExists(b));
            assertFalse(posix.unlinkIfExists(b));
            assertNull(posix.lstatIfExists(b));
            assertEquals(1, posix.fstat(fd, a).nlink());
        } finally {
            posix.closeQuietly(fd);
        }
    }

    @Test
    void flockExcludesAnotherDescriptorAndNonBlockingSaysSo() throws Exception {
        String f = dir.resolve("box").toString();
        int fd1 = posix.open(f, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0600);
        int fd2 = posix.open(f, Posix.O_RDWR | Posix.O_CLOEXEC, 0600);
        try {
            assertTrue(posix.flock(fd1, Posix.LOCK_EX | Posix.LOCK_NB, f));
            assertFalse(posix.flock(fd2, Posix.LOCK_SH | Posix.LOCK_NB, f));
            assertTrue(posix.flock(fd1, Posix.LOCK_UN, f));
            assertTrue(posix.flock(fd2, Posix.LOCK_SH | Posix.LOCK_NB, f));
        } finally {
            posix.closeQuietly(fd1);
            posix.closeQuietly(fd2);
        }
    }

    @Test
    void writeReadTruncateAndTouchMoveCtime() throws Exception {
        String f = dir.resolve("w").toString();
        int fd = posix.open(f, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0600);
        try {
            posix.writeFully(fd, "12345\nhello".getBytes(), f);
            assertEquals("12345\nhello", new String(posix.readAtMost(fd, 100, f)));
            assertEquals("123", new String(posix.readAtMost(fd, 3, f)));
            posix.ftruncate(fd, 5, f);
            posix.fsync(fd, f);
            assertEquals(5, posix.fstat(fd, f).size());
            long before = posix.fstat(fd, f).ctimeNanos();
            Thread.sleep(20);
            posix.touch(fd, f);
            assertTrue(posix.fstat(fd, f).ctimeNanos() > before, "touch must move ctime");
        } finally {
            posix.closeQuietly(fd);
        }
    }

    @Test
    void processIdentity() throws Exception {
        long self = ProcessHandle.current().pid();
        assertEquals(self, posix.getpid());
        assertEquals(Posix.ProcessState.ALIVE, posix.processState(self));
        assertTrue(posix.processStartTicks(self).isPresent());
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertEquals(Posix.ProcessState.GONE, posix.processState(p.pid()));
        assertFalse(posix.processStartTicks(p.pid()).isPresent());
        assertFalse(posix.kill(p.pid(), 0));
        assertFalse(posix.hostname().isBlank());
        assertEquals(36, posix.bootId().length());
    }
}

package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Issue 20 part 2: the release archive (target/spoollock-VERSION-bin.tar.gz) unpacked into an empty
 * directory and used by the unprivileged test user with a PATH that has a JDK and the shell's tools but no
 * Maven and no source tree: --version, deliver, count and man -l work.
 */
class ReleaseArchiveIT {
    /** A directory of links to the few programs the launcher and this test need: no mvn among them. */
    private static Path minimalPath(Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("path"));
        String java = Path.of(Peers.JAVA).toRealPath().toString();
        Files.createSymbolicLink(bin.resolve("java"), Path.of(java));
        for (String tool : List.of("bash", "sh", "env", "dirname", "readlink", "cksum", "cut", "mkdir", "mv", "rm", "cat",
                "mktemp", "man", "groff", "nroff", "troff", "grotty", "preconv", "tbl", "eqn", "pic", "col", "zsoelim", "soelim", "iconv", "less", "sed", "locale", "gzip")) {
            for (String d : List.of("/usr/bin", "/bin")) {
                Path p = Path.of(d, tool);
                if (Files.isExecutable(p) && !Files.exists(bin.resolve(tool))) {
                    Files.createSymbolicLink(bin.resolve(tool), p.toRealPath());
                }
            }
        }
        assertTrue(!Files.exists(bin.resolve("mvn")));
        return bin;
    }

    @Test
    void theArchiveRunsWithoutMavenOrTheSourceTree() throws Exception {
        Path archive;
        try (Stream<Path> s = Files.list(Peers.TOP.resolve("target"))) {
            archive = s.filter(p -> p.getFileName().toString().matches("spoollock-.*-bin\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/spoollock-*-bin.tar.gz: mvn package makes it"));
        }
        Path dir = Peers.newDir("release");
        Path copy = dir.resolve(archive.getFileName());
        Files.copy(archive, copy);
        Peers.chown(copy);
        Path path = minimalPath(dir);
        Peers.run(List.of("chmod", "-R", "a+rX", dir.toString()), 10);
        Path unpacked = dir.resolve("opt");
        Files.createDirectories(unpacked);
        Peers.chown(unpacked);
        Peers.Result tar = Peers.run(Peers.asUser("tar", "-xzf", copy.toString(), "-C", unpacked.toString()), 60);
        assertEquals(0, tar.status(), tar.toString());
        Path top;
        try (Stream<Path> s = Files.list(unpacked)) {
            top = s.findFirst().orElseThrow();
        }
        for (String f : List.of("bin/spoollock", "lib/spoollock.jar", "share/man/man1/spoollock.1",
                "share/man/man1/spoollock-deliver.1", "share/bash-completion/completions/spoollock", "LICENSE", "INSTALL.md",
                "share/systemd/spoollock-lmtp.service")) {
            assertTrue(Files.exists(top.resolve(f)), "the archive has " + f);
        }
        // picocli's own jar is class-file version 49, which class data sharing refuses (the build raises it)
        try (Stream<Path> s = Files.list(top.resolve("lib"))) {
            Path picocli = s.filter(p -> p.getFileName().toString().startsWith("picocli-")).findFirst().orElseThrow();
            try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(picocli.toFile())) {
                List<String> old = z.stream().filter(e -> e.getName().endsWith(".class")).filter(e -> {
                    try (java.io.InputStream in = z.getInputStream(e)) {
                        byte[] head = in.readNBytes(8);
                        return ((head[6] & 0xff) << 8 | (head[7] & 0xff)) < 50;
                    } catch (java.io.IOException x) {
                        throw new java.io.UncheckedIOException(x);
                    }
                }).map(java.util.zip.ZipEntry::getName).toList();
                assertTrue(old.isEmpty(), "classes class data sharing refuses in " + picocli + ": " + old);
            }
        }
        String launcher = top.resolve("bin/spoollock").toString();
        List<String> env = List.of("env", "-i", "PATH=" + path, "HOME=" + Peers.HOME, "MANPAGER=cat", "PAGER=cat");
        Peers.Result version = Peers.run(Peers.asUser(with(env, launcher, "--version")), 120);
        assertEquals(0, version.status(), version.toString());
        assertTrue(version.out().startsWith("spoollock "), version.out());
        Path message = dir.resolve("message");
        Files.writeString(message, "Subject: from the release\n\nhello\n");
        Peers.chown(message);
        Path box = dir.resolve("inbox");
        Peers.Result deliver = Peers.runWithInput(Peers.asUser(with(env, launcher, "deliver", box.toString())), message, 120);
        assertEquals(0, deliver.status(), deliver.toString());
        Peers.Result count = Peers.run(Peers.asUser(with(env, launcher, "count", box.toString())), 120);
        assertEquals(0, count.status(), count.toString());
        assertEquals("1", count.out().strip());
        assertEquals(1, Peers.cclientCount(box), "c-client reads what the release delivered");
        Peers.Result man = Peers.run(Peers.asUser(with(env, "man", "-l", top.resolve("share/man/man1/spoollock-deliver.1")
                .toString())), 60);
        assertEquals(0, man.status(), man.toString());
        assertTrue(man.out().contains("--no-create") || man.out().contains("-no-create"), man.out());
        assertTrue(man.out().contains("SYNOPSIS") && man.out().contains("spoollock deliver"), man.out());
        assertTrue(!Files.exists(top.resolve("target")), "nothing was built in the installation");
    }

    private static List<String> with(List<String> env, String... cmd) {
        List<String> l = new ArrayList<>(env);
        l.addAll(List.of(cmd));
        return l;
    }
}

package org.spoollock.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One scratch directory per JVM for the files the fuzz targets write: the parsers under test read
 * real files through the same channels, locks and session files the CLI uses, so each input is
 * written to disk. Removed when the JVM exits.
 */
final class Scratch {
    private static Path dir;

    private Scratch() {
    }

    static synchronized Path dir() {
        if (dir == null) {
            try {
                // spooltest/fuzz/main points this at a tmpfs when there is one: every input is written
                String where = System.getProperty("spoollock.fuzz.scratch", System.getProperty("java.io.tmpdir"));
                dir = Files.createTempDirectory(Path.of(where), "spoollock-fuzz-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a scratch directory for the fuzz targets' files: " + e.getMessage(), e);
            }
            Path d = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(d)));
        }
        return dir;
    }

    /** The file {@code name} in the scratch directory, holding exactly {@code data}. */
    static Path write(String name, byte[] data) throws IOException {
        Path p = dir().resolve(name);
        Files.write(p, data);
        return p;
    }

    private static void delete(Path d) {
        try (Stream<Path> s = Files.walk(d)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }
}

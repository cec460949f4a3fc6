package org.spoollock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run the launcher records JDK 24+'s AOT cache from: every command in it does what it is there for. */
class StartupTrainingTest {
    @TempDir
    Path dir;

    @Test
    void theTrainingRunsEveryCommandToItsExpectedEnd() throws Exception {
        StartupTraining.main(new String[0]); // throws when a command exits otherwise than expected
    }

    @Test
    void theTrainingBindsLibcTheWayTheCommandsDo() throws Exception {
        // a cache trained on jnr's other way of calling would hold classes the commands never load
        Path box = Files.write(dir.resolve("box"), "From a@b Sat Nov 21 10:00:00 2026\n\nx\n".getBytes(StandardCharsets.US_ASCII));
        String training = libcLoader(List.of("org.spoollock.cli.StartupTraining"));
        String command = libcLoader(List.of("org.spoollock.cli.Main", "count", box.toString()));
        assertEquals(command, training);
    }

    /** Which jnr library loader a JVM running {@code mainAndArgs} loaded. */
    private String libcLoader(List<String> mainAndArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(mainAndArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out.length() > 2000 ? out.substring(out.length() - 2000) : out);
        Matcher m = Pattern.compile("(jnr\\.ffi\\.provider\\.jffi\\.(Asm|Reflection)LibraryLoader) ").matcher(out);
        assertTrue(m.find(), "no jnr library loader loaded by " + mainAndArgs);
        return m.group(1);
    }
}

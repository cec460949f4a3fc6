package org.spoollock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * The command names are written in three places: each class's picocli {@code @Command(name = ...)},
 * Main's lazy table (built per run, so picocli does not read every command's annotations at start),
 * and bin/spoollock's list of commands that get a class-data archive of their own. Deriving one from
 * another would cost start-up time or a build step; this test keeps them equal instead.
 */
class CommandNamesTest {

    @Test
    void eachCommandIsRegisteredUnderItsOwnPicocliName() {
        for (String name : Main.commandNames()) {
            CommandLine.Command c = Main.command(name).getClass().getAnnotation(CommandLine.Command.class);
            assertNotNull(c, name + ": no @Command");
            assertEquals(name, c.name(), "Main registers " + c.name() + " as " + name);
        }
    }

    @Test
    void theLauncherGivesEveryCommandItsOwnClassDataArchive() throws Exception {
        String launcher = Files.readString(Path.of("bin/spoollock"));
        Matcher m = Pattern.compile("\\n\\s*([a-z|]+)\\) cmd=\"\\$1\" ;;").matcher(launcher);
        assertTrue(m.find(), "bin/spoollock's case list of commands not found");
        assertEquals(new TreeSet<>(Main.commandNames()), new TreeSet<>(Set.of(m.group(1).split("\\|"))),
                "commands in bin/spoollock's archive case list");
    }

    @Test
    void theLauncherRunsTheCommandsWithAGeneratedModelOnC1Alone() throws Exception {
        // the short commands: an MDA or a script starts them per message, so both start-up measures cover them
        String launcher = Files.readString(Path.of("bin/spoollock"));
        Matcher m = Pattern.compile("\\n\\s*([a-z|]+)\\)\\n\\s*case \" \\$\\{JAVA_OPTS:-\\} \" in\\n\\s*\\*Tiered\\*")
                .matcher(launcher);
        assertTrue(m.find(), "bin/spoollock's list of commands run on C1 alone not found");
        assertEquals(new TreeSet<>(PrebuiltModel.COMMANDS), new TreeSet<>(Set.of(m.group(1).split("\\|"))),
                "bin/spoollock's C1 commands and PrebuiltModel's");
    }
}

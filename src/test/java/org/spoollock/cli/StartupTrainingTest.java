package org.spoollock.cli;

import org.junit.jupiter.api.Test;

/** The run the launcher records JDK 24+'s AOT cache from: every command in it does what it is there for. */
class StartupTrainingTest {
    @Test
    void theTrainingRunsEveryCommandToItsExpectedEnd() throws Exception {
        StartupTraining.main(new String[0]); // throws when a command exits otherwise than expected
    }
}

package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** What the CLI forwards to the daemon: the operator's arguments where they were typed, its state folder after them. */
class ForwardedArgsTest {
    @Test
    void theStateFolderFollowsTheArgumentsAndPrecedesTheEndOfOptions() {
        assertArrayEquals(new String[] {"network", "inspect", "a", "--state-dir=/s"},
                DaemonClient.withEnvironment(new String[] {"network", "inspect", "a"}, "/s"));
        assertArrayEquals(new String[] {"attach", "n", "--state-dir=/s", "--", "-odd"},
                DaemonClient.withEnvironment(new String[] {"attach", "n", "--", "-odd"}, "/s"));
    }

    @Test
    void anOperatorsOwnStateFolderOrNoneIsLeftAlone() {
        String[] own = {"--state-dir=/mine", "ls"};
        assertArrayEquals(own, DaemonClient.withEnvironment(own, "/s"));
        String[] spaced = {"--state-dir", "/mine", "ls"};
        assertArrayEquals(spaced, DaemonClient.withEnvironment(spaced, "/s"));
        assertArrayEquals(new String[] {"ls"}, DaemonClient.withEnvironment(new String[] {"ls"}, null));
        assertArrayEquals(new String[] {"ls"}, DaemonClient.withEnvironment(new String[] {"ls"}, ""));
    }
}

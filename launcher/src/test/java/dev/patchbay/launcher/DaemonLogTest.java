package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DaemonLogTest {
    private static final OffsetDateTime AT = OffsetDateTime.of(2026, 12, 7, 1, 2, 3, 45_000_000, ZoneOffset.UTC);

    private static String logged(boolean journal, String... writes) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new DaemonLog(sink, journal, () -> AT), true, StandardCharsets.UTF_8);
        for (String w : writes) {
            err.print(w);
        }
        err.flush();
        return sink.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyLineGetsAnRfc3339TimeAndALevel() {
        assertEquals("2026-12-07T01:02:03.045Z info patchbay: daemon serving net:[1]\n"
                + "2026-12-07T01:02:03.045Z warning patchbay: warning: a jar was refused\n"
                + "2026-12-07T01:02:03.045Z error patchbay: daemon: drift repair failed: EPERM\n",
                logged(false, "patchbay: daemon serving net:[1]\npatchbay: warning: a jar ", "was refused\n",
                        "patchbay: daemon: drift repair failed: EPERM\n"));
    }

    @Test
    void underJournaldTheLevelIsAPriorityPrefixAndTheTimeIsJournaldsOwn() {
        assertEquals("<6>patchbay: daemon serving net:[1]\n<4>patchbay: warning: x\n<3>patchbay: framework error: y\n",
                logged(true, "patchbay: daemon serving net:[1]\n", "patchbay: warning: x\npatchbay: framework error: y\n"));
    }

    @Test
    void aRequestsLineIsInfoWhateverTheOperatorTyped() {
        assertEquals("<6>patchbay: request from root: patchbay network create failed-error -> exit 2 in 1.00 ms\n",
                logged(true, RequestLog.line("root", new DaemonSocket.Request("net:[1]", new String[] {"network", "create", "failed-error"}),
                        "exit 2", 1_000_000) + "\n"));
    }

    @Test
    void aLineIsWrittenOnlyWhenItEnds() {
        assertEquals("", logged(false, "half a line"));
    }
}

package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The C client's reading of a command line (src/main/c/cli-args.c, through the probe src/test/c/cli-args-probe.c) is the
 * JVM's: the command word ({@link Args#commandWord}), the daemon itself (Main: never forwarded), whether a command starts
 * a daemon ({@link DaemonClient#autostarts}) and the arguments the daemon gets ({@link DaemonClient#withEnvironment}).
 */
class CliArgsTest {
    static final Path PROBE = Path.of(System.getProperty("patchbay.cli.probe", "target/cli/cli-args-probe"));

    private static final String[][] LINES = {
            {},
            {"network", "ls"},
            {"-o", "json", "ls"},
            {"-n", "red", "addr", "show"},
            {"--namespace", "daemon", "network", "ls"},
            {"--state-dir", "/x", "network", "ls"},
            {"--state-dir=/x", "network", "ls"},
            {"--state-dirty", "network", "ls"},
            {"-v", "network", "create", "a", "--subnet", "10.0.0.0/24"},
            {"--help"},
            {"-h", "network"},
            {"network", "--help"},
            {"network", "create", "--help=x"},
            {"--version"},
            {"-V"},
            {"version"},
            {"help", "network"},
            {"completion"},
            {"man", "--dir", "/tmp"},
            {"daemon"},
            {"daemon", "--idle", "5"},
            {"daemon", "--help"},
            {"-o", "daemon"},
            {"attach", "n", "--", "-odd"},
            {"attach", "n", "--", "--state-dir", "x"},
            {"exec", "--", "--"},
            {"network", "ls", "--"},
            {"-x"},
            {"a b", "c\td"},
            {"réseau", "ls"},
    };

    @Test
    void theClientReadsACommandLineAsTheJvm() throws Exception {
        for (String stateDir : new String[] {null, "/state", ""}) {
            for (String[] args : LINES) {
                String what = String.join(" ", args) + " (PATCHBAY_STATE_DIR " + stateDir + ")";
                assertEquals(java(args, stateDir), probe(args, stateDir), what);
            }
        }
    }

    private static List<String> java(String[] args, String stateDir) {
        List<String> lines = new ArrayList<>();
        String word = Args.commandWord(args);
        lines.add("word " + (word == null ? "(none)" : word));
        lines.add("daemon " + ("daemon".equals(word) && !Args.has(args, "-h", "--help") ? 1 : 0)); // Main.run
        lines.add("autostarts " + (DaemonClient.autostarts(args) ? 1 : 0));
        for (String a : DaemonClient.withEnvironment(args, stateDir)) {
            lines.add("arg " + a);
        }
        return lines;
    }

    private static List<String> probe(String[] args, String stateDir) throws Exception {
        List<String> argv = new ArrayList<>(List.of(PROBE.toString(), stateDir == null ? "-" : stateDir));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("the probe failed: " + out);
        }
        return out.lines().toList();
    }
}

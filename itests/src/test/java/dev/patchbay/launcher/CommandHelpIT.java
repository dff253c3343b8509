package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The command tree as an operator meets it outside --help: a manual page per command and a bash completion script,
 * both made from the commands the real bundles mount. Every summary is a whole sentence and every argument and option
 * says what it is: the pages hold each command's help, so an undocumented parameter shows here.
 */
class CommandHelpIT {
    private static final Pattern NAME = Pattern.compile("\\.SH NAME\\n(\\S+) \\\\- (.*)\\n");
    private final Cli cli = new Cli(tmp("pb-state"), tmp("pb-run"), Map.of("PATCHBAY_DAEMON", "off"));

    private static Path tmp(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyCommandHasAManualPageWithAWholeSummaryAndEveryParameterDescribed() throws Exception {
        Path dir = tmp("pb-man");
        Cli.Run r = cli.run("man", "--dir", dir.toString()).ok();
        List<Path> pages;
        try (Stream<Path> files = Files.list(dir)) {
            pages = files.sorted().toList();
        }
        assertEquals(r.out().strip().lines().count(), pages.size(), "each page written is listed: " + r.out());
        for (String expected : List.of("patchbay.8", "patchbay-network-create.8", "patchbay-attach.8", "patchbay-daemon.8",
                "patchbay-link-add.8", "patchbay-man.8", "patchbay-completion.8")) {
            assertTrue(Files.exists(dir.resolve(expected)), expected + " among " + pages);
        }
        List<String> problems = new ArrayList<>();
        for (Path page : pages) {
            String text = Files.readString(page, StandardCharsets.UTF_8);
            Matcher m = NAME.matcher(text);
            if (!m.find()) {
                problems.add(page.getFileName() + ": no NAME section");
                continue;
            }
            String summary = m.group(2).strip();
            if (!summary.endsWith(".") && !summary.endsWith(")")) {
                problems.add(page.getFileName() + ": summary cut short: " + summary);
            }
            for (String section : List.of("ARGUMENTS", "OPTIONS")) {
                int at = text.indexOf(".SH " + section + "\n");
                if (at < 0) {
                    continue;
                }
                int end = text.indexOf("\n.SH ", at + 1);
                String[] items = text.substring(at, end < 0 ? text.length() : end).split("\\.TP\\n");
                for (int i = 1; i < items.length; i++) {
                    String[] lines = items[i].strip().split("\n");
                    if (lines.length < 2 || lines[1].isBlank()) {
                        problems.add(page.getFileName() + ": " + section.toLowerCase() + " " + lines[0].replace(".B ", "") + " is not described");
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void aCommandsPageIsPrintedAndAnUnknownOneIsNamed() {
        String page = cli.run("man", "network", "create").ok().out();
        assertTrue(page.startsWith(".TH \"PATCHBAY-NETWORK-CREATE\" 8"), page);
        assertTrue(page.contains(".SH NAME\npatchbay\\-network\\-create \\- Create a network"), page);
        assertTrue(page.contains(".B \\-\\-subnet CIDR\n"), page);
        Cli.Run r = cli.run("man", "network", "frobnicate");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("no command 'network frobnicate': patchbay network has "), r.err());
    }

    @Test
    void theCompletionScriptCompletesCommandsSubcommandsAndOptions() throws Exception {
        Path script = tmp("pb-completion").resolve("patchbay");
        Files.writeString(script, cli.run("completion").ok().out());
        // compopt answers only inside a real completion; the generated functions call it
        String probe = "source \"$1\"; compopt() { :; }; COMP_WORDS=(\"${@:2}\"); COMP_CWORD=$(($# - 2)); _complete_patchbay;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\"";
        assertEquals("network", complete(probe, script, "patchbay", "netw"));
        assertEquals("create", complete(probe, script, "patchbay", "network", "cr"));
        assertEquals("--subnet", complete(probe, script, "patchbay", "network", "create", "x", "--su"));
        assertEquals("--masquerade", complete(probe, script, "patchbay", "network", "create", "x", "--masq")); // the firewall plugin's flag
    }

    private static String complete(String probe, Path script, String... words) throws Exception {
        List<String> argv = new ArrayList<>(List.of("bash", "-c", probe, "probe", script.toString()));
        argv.addAll(List.of(words));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.strip();
    }
}

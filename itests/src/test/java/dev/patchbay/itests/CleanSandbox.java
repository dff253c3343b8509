package dev.patchbay.itests;

import dev.patchbay.testing.Sandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every test class of the module leaves its test JVM's sandbox (the namespace that plays the host, and its named
 * namespaces) as it found it: links, named namespaces, nftables tables, the iptables and ip6tables rules and chains of
 * its own (the built-in chains an {@code iptables -L} makes appear are no one's), and no process running in it.
 * Checked after each class, as the next class of the same JVM would meet what it left: a class that leaves anything
 * fails, named, with what it left, and what it left is removed (so the next class starts clean anyway). Registered for
 * every class of the module by META-INF/services (junit.jupiter.extensions.autodetection.enabled in
 * junit-platform.properties); nothing to check outside a sandbox.
 */
public final class CleanSandbox implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(CleanSandbox.class);
    private static final Set<String> BUILT_IN = Set.of("INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING");
    private static final List<String> SAVES = List.of("iptables-save", "ip6tables-save");

    /** What a class may not leave behind, item by item ("link X", "netns N", "nft table inet patchbay", "iptables-save -A ..."). */
    record Snapshot(Set<String> items, Map<String, String> saves) {
        static Snapshot take() {
            Set<String> items = new TreeSet<>();
            for (String line : Sandbox.exec("ip", "-o", "link", "show").output().split("\n")) {
                String[] parts = line.split(": ", 3);
                if (parts.length >= 2) {
                    items.add("link " + parts[1].replaceAll("@.*", ""));
                }
            }
            for (String line : Sandbox.exec("ip", "netns", "list").output().split("\n")) {
                if (!line.isBlank()) {
                    items.add("netns " + line.split(" ")[0]);
                }
            }
            for (String line : Sandbox.exec("nft", "list", "tables").output().split("\n")) {
                if (line.startsWith("table ") && !iptablesCompat(line)) {
                    items.add("nft " + line.trim());
                }
            }
            processes().forEach((pid, cmd) -> items.add("process " + pid + " " + cmd));
            Map<String, String> saves = new LinkedHashMap<>();
            for (String save : SAVES) {
                String out = Sandbox.exec(save).output();
                saves.put(save, out);
                String table = "";
                for (String line : out.split("\n")) {
                    if (line.startsWith("*")) {
                        table = line.substring(1);
                    } else if (line.startsWith("-A ") || line.startsWith(":") && !BUILT_IN.contains(line.substring(1).split(" ")[0])) {
                        items.add(save + " -t " + table + " " + line.replaceAll(" \\[\\d+:\\d+\\]", ""));
                    }
                }
            }
            return new Snapshot(items, saves);
        }

        /**
         * The processes of this JVM's namespace but itself (by pid, with their command line): what a test started there, a
         * daemon above all (a daemon left running puts back its records' firewall rules and container links, in the host
         * and the namespaces of the classes after it).
         */
        static Map<Long, String> processes() {
            Map<Long, String> out = new java.util.TreeMap<>();
            String mine = netns(ProcessHandle.current().pid());
            try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                    long pid = Long.parseLong(proc.getFileName().toString());
                    if (pid == ProcessHandle.current().pid() || !mine.equals(netns(pid))) {
                        continue;
                    }
                    try {
                        out.put(pid, new String(Files.readAllBytes(proc.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8)
                                .replace('\0', ' ').strip());
                    } catch (IOException gone) {
                        // it exited meanwhile
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.values().removeIf(String::isEmpty); // kernel threads, zombies
            return out;
        }

        private static String netns(long pid) {
            try {
                return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
            } catch (IOException gone) {
                return "";
            }
        }

        /** The tables iptables-nft keeps its rules in: their rules are compared through iptables-save. */
        private static boolean iptablesCompat(String line) {
            return line.matches("table ip6? (filter|nat|mangle|raw|security)\\s*");
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (inSandbox()) {
            context.getStore(NS).put("before", Snapshot.take());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Snapshot before = context.getStore(NS).remove("before", Snapshot.class);
        if (before == null) {
            return;
        }
        // a process the class stopped may still be on its way out (Process.destroy does not wait): new ones get 20 s to go
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        Set<String> had = new TreeSet<>();
        before.items().stream().filter(i -> i.startsWith("process ")).forEach(i -> had.add(i.split(" ")[1]));
        while (Snapshot.processes().keySet().stream().anyMatch(pid -> !had.contains(Long.toString(pid))) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Snapshot after = Snapshot.take();
        Set<String> left = new TreeSet<>(after.items());
        left.removeAll(before.items());
        Set<String> gone = new TreeSet<>(before.items());
        gone.removeAll(after.items());
        if (left.isEmpty() && gone.isEmpty()) {
            return;
        }
        restore(before, after, left);
        List<String> said = new ArrayList<>();
        if (!left.isEmpty()) {
            said.add("left " + left);
        }
        if (!gone.isEmpty()) {
            said.add("removed " + gone);
        }
        throw new AssertionError(context.getRequiredTestClass().getSimpleName() + " did not leave its test JVM's sandbox as it found it: "
                + String.join("; ", said) + " (put back for the next class)");
    }

    /** Removes what the class left: namespaces, links, nftables tables; the iptables rules as they were. */
    private static void restore(Snapshot before, Snapshot after, Set<String> left) {
        for (String item : left) {
            if (item.startsWith("process ")) {
                ProcessHandle.of(Long.parseLong(item.split(" ")[1])).ifPresent(p -> {
                    p.destroy();
                    try {
                        p.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (Exception notYet) {
                        p.destroyForcibly();
                    }
                });
            }
        }
        for (String item : left) {
            if (item.startsWith("netns ")) {
                Sandbox.exec("ip", "netns", "del", item.substring(6));
            }
        }
        for (String item : left) {
            if (item.startsWith("link ")) {
                Sandbox.exec("ip", "link", "del", item.substring(5));
            } else if (item.startsWith("nft table ")) {
                String[] t = item.substring(10).trim().split(" ");
                Sandbox.exec("nft", "delete", "table", t[0], t[1]);
            }
        }
        for (String save : SAVES) {
            if (!before.saves().get(save).equals(after.saves().get(save))) {
                String cmd = save.replace("-save", "");
                for (String table : List.of("filter", "nat", "mangle", "raw")) {
                    Sandbox.exec(cmd, "-t", table, "-F");
                    Sandbox.exec(cmd, "-t", table, "-X");
                }
                try {
                    Path rules = Files.createTempFile("pb-rules", ".txt");
                    Files.writeString(rules, before.saves().get(save));
                    Sandbox.exec(cmd + "-restore", rules.toString());
                    Files.delete(rules);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private static boolean inSandbox() {
        return "1".equals(System.getProperty("patchbay.sandbox"));
    }
}

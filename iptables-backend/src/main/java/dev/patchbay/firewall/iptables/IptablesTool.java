package dev.patchbay.firewall.iptables;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.Family;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The iptables binaries of the variant {@code iptables} is on this machine (nf_tables or legacy):
 * {@code iptables-nft-save}/{@code -restore} or {@code iptables-legacy-save}/{@code -restore}, IPv4 and
 * IPv6. Runs them with argv (never a shell), the input on stdin, in the calling thread's namespace.
 */
final class IptablesTool {
    private static final List<String> DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin");

    /** {@code nft} or {@code legacy}. */
    final String variant;

    private IptablesTool(String variant) {
        this.variant = variant;
    }

    /** Finds the variant {@code iptables} runs; throws {@link UnavailableException} if there is none. */
    static IptablesTool detect() {
        Path ipt = find("iptables");
        if (ipt == null) {
            throw new UnavailableException("failed to find program \"iptables\": not installed");
        }
        String v = run(List.of(ipt.toString(), "-V"), null);
        String variant = v.contains("legacy") ? "legacy" : "nft";
        for (Family f : Family.values()) {
            if (find(binary(f, variant, "save")) == null || find(binary(f, variant, "restore")) == null) {
                throw new UnavailableException("failed to find program \"" + binary(f, variant, "restore") + "\": not installed");
            }
        }
        return new IptablesTool(variant);
    }

    static String binary(Family f, String variant, String what) {
        return (f == Family.INET ? "iptables-" : "ip6tables-") + variant + "-" + what;
    }

    private static Path find(String name) {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(DIRS);
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The whole ruleset of one family, as {@code *-save} prints it. */
    String save(Family f) {
        return run(List.of(find(binary(f, variant, "save")).toString()), null);
    }

    /** Applies {@code input} atomically, without flushing anything else. */
    void restore(Family f, String input) {
        run(List.of(find(binary(f, variant, "restore")).toString(), "-w", "--noflush"), input);
    }

    /**
     * Deletes table {@code table} of family {@code f} through {@code nft} (iptables cannot delete a table): for the
     * nf_tables variant, whose tables stay after their last chain is gone.
     */
    void deleteTable(Family f, String table) {
        Path nft = find("nft");
        if (nft == null) {
            throw new UnavailableException("failed to find program \"nft\": not installed");
        }
        run(List.of(nft.toString(), "delete", "table", f == Family.INET ? "ip" : "ip6", table), null);
    }

    private static String run(List<String> argv, String stdin) {
        try {
            Process p = new ProcessBuilder(argv).start();
            // stderr read on a thread of its own, not the common pool: on a two-core machine that has one thread, and a
            // program whose stderr fills its pipe while nobody reads it never exits
            CompletableFuture<byte[]> err = new CompletableFuture<>();
            Thread reader = new Thread(() -> err.complete(readAll(p.getErrorStream())), "iptables-stderr");
            reader.setDaemon(true);
            reader.start();
            if (stdin != null) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } else {
                p.getOutputStream().close();
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BackendException("failed to run \"" + argv.get(0) + "\": timed out after 60 s");
            }
            if (p.exitValue() != 0) {
                throw new BackendException("failed to run \"" + String.join(" ", argv) + "\": exit " + p.exitValue() + ": "
                        + new String(err.join(), StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackendException("failed to run \"" + argv.get(0) + "\": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("failed to run \"" + argv.get(0) + "\": interrupted", e);
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** One family's saved rules, reduced to what Patchbay cares about. */
    static final class Saved {
        /** Per table: chains that exist. */
        final java.util.Map<String, Set<String>> chains = new java.util.HashMap<>();
        /** Per table: {@code -A} lines of owner rules, by owner. */
        final java.util.Map<String, java.util.Map<String, List<String>>> owned = new java.util.HashMap<>();
        /** Per table: fixed Patchbay rules (tagged {@code patchbay}). */
        final java.util.Map<String, List<String>> skeleton = new java.util.HashMap<>();
        int userRules;
        /** The tables that exist. */
        final Set<String> tables = new LinkedHashSet<>();
        /** The tables that hold anything: a rule, a chain of their own, a built-in chain's policy other than ACCEPT. */
        final Set<String> busy = new LinkedHashSet<>();

        static Saved parse(String save) {
            Saved s = new Saved();
            String table = null;
            for (String line : save.split("\n")) {
                if (line.startsWith("*")) {
                    table = line.substring(1).strip();
                    s.tables.add(table);
                } else if (table != null && line.startsWith(":")) {
                    s.chains.computeIfAbsent(table, k -> new LinkedHashSet<>()).add(line.substring(1).split(" ")[0]);
                    String[] parts = line.split(" ");
                    if (parts.length < 2 || !parts[1].equals("ACCEPT")) {
                        s.busy.add(table);
                    }
                } else if (table != null && line.startsWith("-A ")) {
                    s.busy.add(table);
                    String chain = line.split(" ")[1];
                    String owner = owner(line);
                    if (chain.equals(IptablesRenderer.USER)) {
                        s.userRules++;
                    } else if (owner != null) {
                        // a recent match's saved defaults do not delete it (-D finds no such rule): dropped, as it was added
                        String rule = line.replace(" --mask 255.255.255.255 --rsource", "")
                                .replace(" --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource", "");
                        s.owned.computeIfAbsent(table, k -> new java.util.LinkedHashMap<>())
                                .computeIfAbsent(owner, k -> new ArrayList<>()).add(rule);
                    } else if (line.contains("--comment " + IptablesRenderer.SKELETON_TAG + " ")
                            || line.contains("--comment \"" + IptablesRenderer.SKELETON_TAG + "\"")) {
                        s.skeleton.computeIfAbsent(table, k -> new ArrayList<>()).add(line);
                    }
                }
            }
            return s;
        }

        private static String owner(String line) {
            int i = line.indexOf("--comment ");
            if (i < 0) {
                return null;
            }
            String rest = line.substring(i + 10);
            if (rest.startsWith("\"")) {
                rest = rest.substring(1, rest.indexOf('"', 1));
            } else {
                rest = rest.split(" ")[0];
            }
            return rest.startsWith("pb:") ? rest.substring(3) : null;
        }

        Set<String> chains(String table) {
            return chains.getOrDefault(table, Set.of());
        }

        List<String> owned(String table, String owner) {
            return owned.getOrDefault(table, java.util.Map.of()).getOrDefault(owner, List.of());
        }

        Set<String> owners() {
            Set<String> all = new java.util.TreeSet<>();
            owned.values().forEach(m -> all.addAll(m.keySet()));
            return all;
        }
    }
}

package dev.patchbay.firewall.iptables;

import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.Family;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A dry run of the iptables backend in one host namespace: each family's rules as {@code *-save} printed them, read
 * once, changed by each call as {@link IptablesFirewall#apply} and {@link IptablesFirewall#remove} would change them (the
 * restore input they would send, played on a copy), each call answered with that input as {@code iptables} /
 * {@code ip6tables} commands, one per line of it.
 */
final class IptablesRehearsal implements Firewall.Rehearsal {
    private final Map<Family, Saved> saved = new EnumMap<>(Family.class);
    private final boolean mark;

    IptablesRehearsal(Map<Family, String> save, boolean mark) {
        save.forEach((f, text) -> saved.put(f, new Saved(text)));
        this.mark = mark;
    }

    @Override
    public List<String> apply(Ruleset desired) {
        if (desired.rules().isEmpty()) {
            return remove(desired.owner());
        }
        List<String> out = new ArrayList<>();
        for (Family f : Family.values()) {
            String text = IptablesFirewall.planFamily(saved.get(f).parsed(), desired, f, mark);
            out.addAll(saved.get(f).restore(f, text));
        }
        return out;
    }

    @Override
    public List<String> remove(RulesetOwner owner) {
        Set<String> others = new TreeSet<>();
        saved.values().forEach(s -> others.addAll(s.parsed().owners()));
        others.remove(owner.id());
        List<String> out = new ArrayList<>();
        for (Family f : Family.values()) {
            IptablesTool.Saved before = saved.get(f).parsed();
            out.addAll(saved.get(f).restore(f, others.isEmpty() ? IptablesFirewall.teardown(before, f) : IptablesFirewall.deletions(before, owner.id())));
            if (others.isEmpty()) {
                IptablesTool.Saved now = saved.get(f).parsed();
                for (String table : IptablesRenderer.TABLES) {
                    if (before.chains(table).contains(IptablesRenderer.MADE) && now.tables.contains(table) && !now.busy.contains(table)) {
                        saved.get(f).tables.remove(table);
                        out.add("nft delete table " + (f == Family.INET ? "ip" : "ip6") + " " + table);
                    }
                }
            }
        }
        return out;
    }

    /** One family's tables: chain lines ({@code :NAME POLICY [0:0]}) and rule lines ({@code -A CHAIN ...}), in order. */
    private static final class Saved {
        final Map<String, Map<String, String>> chains = new LinkedHashMap<>();
        final Map<String, List<String>> rules = new LinkedHashMap<>();
        final Set<String> tables = new java.util.LinkedHashSet<>();

        Saved(String save) {
            String table = null;
            for (String line : save.split("\n")) {
                if (line.startsWith("*")) {
                    table = line.substring(1).strip();
                    tables.add(table);
                } else if (table != null && line.startsWith(":")) {
                    chains.computeIfAbsent(table, k -> new LinkedHashMap<>()).put(line.substring(1).split(" ")[0], line);
                } else if (table != null && line.startsWith("-A ")) {
                    rules.computeIfAbsent(table, k -> new ArrayList<>()).add(line);
                }
            }
        }

        IptablesTool.Saved parsed() {
            StringBuilder sb = new StringBuilder();
            for (String t : tables) {
                sb.append('*').append(t).append('\n');
                chains.getOrDefault(t, Map.of()).values().forEach(c -> sb.append(c).append('\n'));
                rules.getOrDefault(t, List.of()).forEach(r -> sb.append(r).append('\n'));
                sb.append("COMMIT\n");
            }
            return IptablesTool.Saved.parse(sb.toString());
        }

        /** Plays restore input {@code text} on these tables; returns it as commands. */
        List<String> restore(Family f, String text) {
            String tool = f == Family.INET ? "iptables" : "ip6tables";
            List<String> out = new ArrayList<>();
            String table = null;
            for (String line : text.split("\n")) {
                if (line.startsWith("*")) {
                    table = line.substring(1).strip();
                    tables.add(table);
                    continue;
                }
                if (table == null || line.isBlank() || line.equals("COMMIT") || line.startsWith("#")) {
                    continue;
                }
                Map<String, String> cs = chains.computeIfAbsent(table, k -> new LinkedHashMap<>());
                List<String> rs = rules.computeIfAbsent(table, k -> new ArrayList<>());
                List<String> words = words(line);
                String chain = line.startsWith(":") ? words.get(0).substring(1) : words.get(1);
                if (line.startsWith(":")) {
                    cs.putIfAbsent(chain, line);
                    out.add(command(tool, table, List.of("-N", chain)));
                    continue;
                }
                String op = words.get(0);
                String rest = line.substring(op.length() + 1 + chain.length()).strip();
                if (!op.equals("-X") && !op.equals("-F")) {
                    cs.putIfAbsent(chain, ":" + chain + " ACCEPT [0:0]"); // a built-in chain iptables-nft makes when used
                }
                switch (op) {
                    case "-A" -> rs.add("-A " + chain + " " + rest);
                    case "-D" -> rs.remove("-A " + chain + " " + rest);
                    case "-I" -> {
                        String spec = rest.replaceFirst("^\\d+ ", "");
                        int n = spec.equals(rest) ? 1 : Integer.parseInt(rest.substring(0, rest.indexOf(' ')));
                        int at = -1;
                        int last = -1;
                        for (int i = 0, seen = 0; i < rs.size() && at < 0; i++) { // before the chain's n-th rule, else after its last
                            if (rs.get(i).startsWith("-A " + chain + " ")) {
                                at = ++seen == n ? i : -1;
                                last = i;
                            }
                        }
                        rs.add(at >= 0 ? at : last >= 0 ? last + 1 : rs.size(), "-A " + chain + " " + spec);
                    }
                    case "-F" -> rs.removeIf(r -> r.startsWith("-A " + chain + " "));
                    case "-X" -> cs.remove(chain);
                    default -> { }
                }
                out.add(command(tool, table, words));
            }
            return out;
        }

        private static String command(String tool, String table, List<String> words) {
            StringBuilder sb = new StringBuilder(tool).append(" -w -t ").append(table);
            words.forEach(w -> sb.append(' ').append(quoted(w)));
            return sb.toString();
        }

        /** A restore line's words, as iptables-restore splits them (double quotes group). */
        static List<String> words(String line) {
            List<String> out = new ArrayList<>();
            StringBuilder w = new StringBuilder();
            boolean quoted = false;
            boolean any = false;
            for (char c : line.toCharArray()) {
                if (c == '"') {
                    quoted = !quoted;
                    any = true;
                } else if (c == ' ' && !quoted) {
                    if (any || w.length() > 0) {
                        out.add(w.toString());
                    }
                    w.setLength(0);
                    any = false;
                } else {
                    w.append(c);
                }
            }
            if (any || w.length() > 0) {
                out.add(w.toString());
            }
            return out;
        }

        static String quoted(String word) {
            return word.matches("[A-Za-z0-9_.:/@%+=,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
        }
    }
}

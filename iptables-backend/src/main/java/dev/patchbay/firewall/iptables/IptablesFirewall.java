package dev.patchbay.firewall.iptables;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetworkStack;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The iptables backend: Patchbay's own PATCHBAY-* chains, changed with one
 * {@code iptables-restore --noflush} (and one {@code ip6tables-restore --noflush}) per call, in the
 * variant {@code iptables} is here (nf_tables or legacy). An owner's old rules are deleted by their exact
 * saved text, so nothing else is touched.
 */
@Component(property = {Firewall.BACKEND + "=iptables", "service.ranking:Integer=100"})
public final class IptablesFirewall implements Firewall {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    volatile NetworkStack stack;

    private volatile IptablesTool tool;

    @Override
    public String backend() {
        return "iptables";
    }

    IptablesTool tool() {
        IptablesTool t = tool;
        if (t == null) {
            t = IptablesTool.detect();
            tool = t;
        }
        return t;
    }

    @Override
    public boolean usable(NetnsRef host) {
        try {
            IptablesTool t = tool();
            return NetnsCalls.call(stack, host, () -> {
                t.save(Family.INET);
                t.save(Family.INET6);
                return true;
            });
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String render(Ruleset desired) {
        return IptablesRenderer.render(desired);
    }

    @Override
    public String plan(NetnsRef host, Ruleset desired) {
        IptablesTool t = tool();
        return NetnsCalls.call(stack, host, () -> {
            StringBuilder sb = new StringBuilder();
            for (Family f : Family.values()) {
                String text = planFamily(IptablesTool.Saved.parse(t.save(f)), desired, f);
                if (!text.isEmpty()) {
                    sb.append(f == Family.INET ? "# iptables-restore --noflush\n" : "# ip6tables-restore --noflush\n").append(text);
                }
            }
            return sb.toString();
        });
    }

    @Override
    public void apply(NetnsRef host, Ruleset desired) {
        if (desired.rules().isEmpty()) {
            remove(host, desired.owner());
            return;
        }
        IptablesTool t = tool();
        wrap("apply iptables rules for owner", desired.owner(), () -> NetnsCalls.call(stack, host, () -> {
            for (Family f : Family.values()) {
                String text = planFamily(IptablesTool.Saved.parse(t.save(f)), desired, f, t.variant.equals("nft"));
                if (!text.isEmpty()) {
                    t.restore(f, text);
                }
            }
            return null;
        }));
    }

    @Override
    public List<String> remove(NetnsRef host, RulesetOwner owner) {
        IptablesTool t = tool();
        return wrap("remove iptables rules of owner", owner, () -> NetnsCalls.call(stack, host, () -> {
            Map<Family, IptablesTool.Saved> saved = new EnumMap<>(Family.class);
            Set<String> others = new TreeSet<>();
            for (Family f : Family.values()) {
                saved.put(f, IptablesTool.Saved.parse(t.save(f)));
                others.addAll(saved.get(f).owners());
            }
            others.remove(owner.id());
            List<String> notices = new ArrayList<>();
            for (Family f : Family.values()) {
                IptablesTool.Saved s = saved.get(f);
                String text = others.isEmpty() ? teardown(s, f) : deletions(s, owner.id());
                if (!text.isEmpty()) {
                    t.restore(f, text);
                }
                if (others.isEmpty() && s.userRules > 0) {
                    notices.add("kept chain " + IptablesRenderer.USER + " (" + (f == Family.INET ? "iptables" : "ip6tables")
                            + "): it holds " + s.userRules + " rule(s) an operator added");
                }
                if (others.isEmpty()) {
                    deleteMadeTables(t, f, s, notices);
                }
            }
            return notices;
        }));
    }

    /**
     * The tables Patchbay made (nf_tables variant: they carry its {@link IptablesRenderer#MADE} chain until the teardown)
     * go once nothing is left in them; a table another tool put anything in stays.
     */
    private static void deleteMadeTables(IptablesTool t, Family f, IptablesTool.Saved before, List<String> notices) {
        List<String> made = IptablesRenderer.TABLES.stream().filter(x -> before.chains(x).contains(IptablesRenderer.MADE)).toList();
        if (made.isEmpty()) {
            return;
        }
        IptablesTool.Saved now = IptablesTool.Saved.parse(t.save(f));
        for (String table : made) {
            if (now.tables.contains(table) && !now.busy.contains(table)) {
                try {
                    t.deleteTable(f, table);
                } catch (PatchbayException e) {
                    notices.add("kept the empty table " + table + " (" + (f == Family.INET ? "ip" : "ip6") + "): " + e.getMessage());
                }
            }
        }
    }

    /** Read afresh: every owner when a table's chains or fixed rules are incomplete, else each owner lacking rules. */
    @Override
    public Set<RulesetOwner> drifted(NetnsRef host, Collection<Ruleset> recorded) {
        IptablesTool t = tool();
        return NetnsCalls.call(stack, host, () -> {
            Map<Family, IptablesTool.Saved> saved = new EnumMap<>(Family.class);
            boolean whole = true;
            for (Family f : Family.values()) {
                saved.put(f, IptablesTool.Saved.parse(t.save(f)));
                for (String table : IptablesRenderer.TABLES) {
                    whole &= whole(saved.get(f), table, f);
                }
            }
            Set<RulesetOwner> out = new TreeSet<>();
            for (Ruleset rs : recorded) {
                boolean held = whole;
                for (Family f : Family.values()) {
                    Map<String, List<String>> want = IptablesRenderer.rules(rs, f);
                    for (String table : IptablesRenderer.TABLES) {
                        held &= saved.get(f).owned(table, rs.owner().id()).size() == want.get(table).size();
                    }
                }
                if (!rs.rules().isEmpty() && !held) {
                    out.add(rs.owner());
                }
            }
            return out;
        });
    }

    /** Whether {@code table} holds every chain of Patchbay's and every fixed rule (jumps included), as many as it makes. */
    static boolean whole(IptablesTool.Saved saved, String table, Family f) {
        List<String> chains = IptablesRenderer.chains(table, f);
        return saved.chains(table).containsAll(chains)
                && saved.skeleton.getOrDefault(table, List.of()).size() == IptablesRenderer.skeleton(table, f).size();
    }

    @Override
    public Set<RulesetOwner> owners(NetnsRef host) {
        IptablesTool t = tool();
        return NetnsCalls.call(stack, host, () -> {
            Set<RulesetOwner> out = new TreeSet<>();
            for (Family f : Family.values()) {
                IptablesTool.Saved.parse(t.save(f)).owners().forEach(o -> out.add(RulesetOwner.of(o)));
            }
            return out;
        });
    }

    /** The restore input that replaces the owner's rules of one family, given what is saved now. */
    static String planFamily(IptablesTool.Saved saved, Ruleset desired, Family f) {
        return planFamily(saved, desired, f, false);
    }

    /**
     * {@link #planFamily(IptablesTool.Saved, Ruleset, Family)}, putting back whatever of the chains and fixed rules is
     * missing (the fixed rules left are deleted and made again, so they stay in order); {@code mark}: a table this
     * creates gets the {@link IptablesRenderer#MADE} chain, so the teardown knows to delete it once empty.
     */
    static String planFamily(IptablesTool.Saved saved, Ruleset desired, Family f, boolean mark) {
        Map<String, List<String>> rules = IptablesRenderer.rules(desired, f);
        StringBuilder sb = new StringBuilder();
        for (String table : IptablesRenderer.TABLES) {
            List<String> chains = IptablesRenderer.chains(table, f);
            if (chains.isEmpty()) {
                continue;
            }
            List<String> lines = new ArrayList<>();
            Set<String> have = saved.chains(table);
            if (mark && !saved.tables.contains(table)) {
                lines.add(":" + IptablesRenderer.MADE + " - [0:0]");
            }
            for (String ch : chains) {
                if (!have.contains(ch)) {
                    lines.add(":" + ch + " - [0:0]");
                }
            }
            if (!have.contains(chains.get(chains.size() - 1))) {
                lines.addAll(IptablesRenderer.skeleton(table, f));
            } else if (!whole(saved, table, f)) {
                saved.skeleton.getOrDefault(table, List.of()).forEach(old -> lines.add("-D" + old.substring(2)));
                for (String l : IptablesRenderer.skeleton(table, f)) { // the multicast return first again, before masquerades
                    lines.add(l.startsWith("-A PATCHBAY-POSTROUTING ") ? "-I PATCHBAY-POSTROUTING 1 " + l.substring(24) : l);
                }
            }
            for (String old : saved.owned(table, desired.owner().id())) {
                lines.add("-D" + old.substring(2));
            }
            lines.addAll(rules.get(table));
            if (!lines.isEmpty()) {
                sb.append('*').append(table).append('\n');
                lines.forEach(l -> sb.append(l).append('\n'));
                sb.append("COMMIT\n");
            }
        }
        return sb.toString();
    }

    static String deletions(IptablesTool.Saved saved, String owner) {
        StringBuilder sb = new StringBuilder();
        for (String table : IptablesRenderer.TABLES) {
            List<String> old = saved.owned(table, owner);
            if (!old.isEmpty()) {
                sb.append('*').append(table).append('\n');
                old.forEach(l -> sb.append("-D").append(l.substring(2)).append('\n'));
                sb.append("COMMIT\n");
            }
        }
        return sb.toString();
    }

    /** Removes the jumps into Patchbay's chains and the chains; a user chain with rules stays. */
    static String teardown(IptablesTool.Saved saved, Family f) {
        StringBuilder sb = new StringBuilder();
        for (String table : IptablesRenderer.TABLES) {
            List<String> lines = new ArrayList<>();
            for (String s : saved.skeleton.getOrDefault(table, List.of())) {
                if (!s.split(" ")[1].startsWith("PATCHBAY-")) {
                    lines.add("-D" + s.substring(2));
                }
            }
            List<String> ours = new ArrayList<>();
            for (String ch : IptablesRenderer.chains(table, f)) {
                boolean keep = ch.equals(IptablesRenderer.USER) && saved.userRules > 0;
                if (saved.chains(table).contains(ch) && !keep) {
                    ours.add(ch);
                }
            }
            if (saved.chains(table).contains(IptablesRenderer.MADE)) {
                ours.add(IptablesRenderer.MADE);
            }
            ours.forEach(ch -> lines.add("-F " + ch));
            ours.forEach(ch -> lines.add("-X " + ch));
            if (!lines.isEmpty()) {
                sb.append('*').append(table).append('\n');
                lines.forEach(l -> sb.append(l).append('\n'));
                sb.append("COMMIT\n");
            }
        }
        return sb.toString();
    }

    private interface Step<T> {
        T run();
    }

    private static <T> T wrap(String what, RulesetOwner owner, Step<T> step) {
        try {
            return step.run();
        } catch (PatchbayException e) {
            throw new BackendException("failed to " + what + " \"" + owner + "\": " + e.getMessage(), e);
        }
    }
}

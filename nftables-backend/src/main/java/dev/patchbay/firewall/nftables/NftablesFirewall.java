package dev.patchbay.firewall.nftables;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.sys.NetlinkError;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import dev.patchbay.sys.Nftables;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The nftables backend: table {@code inet patchbay}, driven in process, one context per host
 * namespace: libnftables for the table, chains and rules, and (when the network stack can open a
 * NETLINK_NETFILTER socket) nf_tables netlink batches of its own encoding for the forward maps'
 * elements, which libnftables would parse slowly ({@link NftSteps} says how the two stay atomic).
 * Each context remembers what the table holds (read once, then kept up to date), so changing one
 * published port is one element operation, whatever the number of others.
 */
@Component(property = {Firewall.BACKEND + "=nftables", "service.ranking:Integer=200", "patchbay.firewall.drift=generation"})
public final class NftablesFirewall implements Firewall {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    volatile NetworkStack stack;

    private final Map<String, NftContext> contexts = new ConcurrentHashMap<>();

    @Override
    public String backend() {
        return "nftables";
    }

    @Override
    public boolean usable(NetnsRef host) {
        try {
            ctx(host).run("list tables", 0);
            return true;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * An accept in Patchbay's own table does not end a packet's way through the hook: the base chain
     * iptables-nft keeps (table ip filter, chain FORWARD) still sees it, and a DROP policy there — as
     * Docker sets it — drops what Patchbay forwards. Patchbay never writes into that foreign table.
     */
    @Override
    public List<String> conflicts(NetnsRef host) {
        try {
            String chain = ctx(host).run("list chain ip filter FORWARD", 0).output();
            if (chain.contains("policy drop")) {
                return List.of("the iptables FORWARD chain drops by default (policy DROP, as Docker sets it) in " + host.describe()
                        + ": nftables rules cannot override it, so traffic forwarded for Patchbay's networks would be dropped;"
                        + " use the iptables backend, or accept the traffic in that chain (e.g. in DOCKER-USER)");
            }
        } catch (RuntimeException | LinkageError e) {
            // no such table or chain: nothing in the way
        }
        return List.of();
    }

    @Override
    public String render(Ruleset desired) {
        return NftRenderer.render(desired);
    }

    @Override
    public String plan(NetnsRef host, Ruleset desired) {
        NftContext c = ctx(host);
        synchronized (c) {
            return NftPlan.of(state(c), desired).text();
        }
    }

    /** A rehearsal from the table as it is now, read afresh ({@link NftRehearsal}). */
    @Override
    public Rehearsal rehearse(NetnsRef host) {
        NftContext c = ctx(host);
        synchronized (c) {
            try {
                return new NftRehearsal(c.run("list table " + NftRenderer.T, Nftables.OUTPUT_JSON).output());
            } catch (BackendException e) {
                if (!String.valueOf(e.getMessage()).contains("No such file or directory")) {
                    throw e;
                }
                return new NftRehearsal("");
            }
        }
    }

    @Override
    public void apply(NetnsRef host, Ruleset desired) {
        if (desired.rules().isEmpty()) {
            remove(host, desired.owner());
            return;
        }
        NftContext c = ctx(host);
        synchronized (c) {
            retrying(c, "apply nftables rules for owner", desired.owner(), () -> {
                NftState s = state(c);
                NftPlan p = NftPlan.of(s, desired);
                if (!p.isEmpty()) {
                    NftSteps.apply(c, s, p);
                }
                if (p.createsSkeleton) {
                    c.state = null; // the fixed rules' new handles: read again when next needed
                }
                return null;
            });
        }
    }

    @Override
    public List<String> remove(NetnsRef host, RulesetOwner owner) {
        NftContext c = ctx(host);
        synchronized (c) {
            return retrying(c, "remove nftables rules of owner", owner, () -> {
                NftState s = state(c);
                Set<String> others = new TreeSet<>(s.owners());
                others.remove(owner.id());
                List<String> notices = new ArrayList<>();
                if (!others.isEmpty()) {
                    NftSteps.remove(c, s, owner.id());
                    return notices;
                }
                if (s.table) {
                    List<String> cmds = deletions(s, owner.id());
                    c.state = null;
                    s = state(c); // fresh: the operator may have changed the user chain meanwhile
                    boolean keep = s.userRules > 0;
                    cmds = new ArrayList<>(keep ? cmds : List.of());
                    cmds.addAll(NftRenderer.teardown(keep, s.chains, s.maps));
                    if (keep && !s.skeleton() && cmds.isEmpty()) {
                        return notices; // already only the user chain left
                    }
                    if (keep) {
                        notices.add("kept chain \"" + NftRenderer.USER_CHAIN + "\" of table " + NftRenderer.T + ": it holds "
                                + s.userRules + " rule(s) an operator added; delete it with: nft delete table " + NftRenderer.T);
                    }
                    c.run(String.join("\n", cmds) + "\n", 0);
                }
                c.state = null; // torn down: cheap to read again
                return notices;
            });
        }
    }

    @Override
    public Set<RulesetOwner> owners(NetnsRef host) {
        NftContext c = ctx(host);
        synchronized (c) {
            c.state = null;
            Set<RulesetOwner> out = new TreeSet<>();
            for (String o : state(c).owners()) {
                out.add(RulesetOwner.of(o));
            }
            return out;
        }
    }

    /**
     * Every owner when the table's own part is incomplete, else each owner whose rules or elements are not all there.
     * Read afresh, unless the table was last found whole and the nf_tables generation says nothing but this context
     * changed the ruleset since: then one GETGEN round trip answers, whatever the number of owners (service property
     * {@code patchbay.firewall.drift=generation} tells the firewall host it may ask on every change).
     */
    @Override
    public Set<RulesetOwner> drifted(NetnsRef host, Collection<Ruleset> recorded) {
        NftContext c = ctx(host);
        synchronized (c) {
            if (c.state != null && c.unchanged()) {
                return new TreeSet<>();
            }
            c.state = null;
            NftState s = state(c);
            Set<RulesetOwner> out = new TreeSet<>();
            for (Ruleset rs : recorded) {
                if (!rs.rules().isEmpty() && (!s.whole() || !s.holds(rs))) {
                    out.add(rs.owner());
                }
            }
            if (out.isEmpty()) {
                c.gens.whole();
            }
            return out;
        }
    }

    static List<String> deletions(NftState s, String owner) {
        List<String> cmds = new ArrayList<>();
        for (NftState.RuleRef r : s.rules.getOrDefault(owner, List.of())) {
            cmds.add(NftPlan.deleteRule(r));
        }
        cmds.addAll(NftRenderer.deleteElements(s.elementsOf(owner)));
        cmds.addAll(NftBalance.deleteMaps(owner, s.maps, List.of()));
        return cmds;
    }

    private interface Step<T> {
        T run();
    }

    /** Runs a step; if it fails, reads the table again (another process may have changed it) and tries once more. */
    private static <T> T retrying(NftContext c, String what, RulesetOwner owner, Step<T> step) {
        try {
            return step.run();
        } catch (AlreadyExistsException e) {
            throw e;
        } catch (PatchbayException first) {
            c.state = null;
            try {
                return step.run();
            } catch (PatchbayException second) {
                c.state = null;
                second.addSuppressed(first);
                throw new BackendException("failed to " + what + " \"" + owner + "\": " + second.getMessage(), second);
            }
        }
    }

    private static NftState state(NftContext c) {
        if (c.state == null) {
            long gen = c.generation(); // before the read: a change during it is seen next time
            String json;
            try {
                json = c.run("list table " + NftRenderer.T, Nftables.OUTPUT_JSON).output();
            } catch (BackendException e) {
                if (!String.valueOf(e.getMessage()).contains("No such file or directory")) {
                    throw e;
                }
                json = "";
            }
            c.state = NftState.parse(json);
            if (gen < 0) {
                c.gens.forget();
            } else {
                c.gens.read(gen, c.commits());
            }
        }
        return c.state;
    }

    /**
     * The context of {@code host}, created inside it; one per namespace, by the stack's {@link NetworkStack#identity}
     * (without a stack only the current namespace can have one, and nothing switches the caller's namespace).
     */
    NftContext ctx(NetnsRef host) {
        NetworkStack s = stack;
        String key = s == null ? host.toString() : s.identity(host).toString();
        NftContext c = contexts.get(key);
        if (c == null) {
            c = NetnsCalls.call(s, host, NftContext::create);
            c.direct = direct(host);
            NftContext raced = contexts.putIfAbsent(key, c);
            if (raced != null) {
                c.close();
                c = raced;
            }
        }
        return c;
    }

    /** How a channel is opened, in the calling thread's namespace (tests spoil its batches at this seam). */
    java.util.function.Supplier<NfnlChannel> channels = NfnlChannel::open;

    /**
     * A netlink channel for map elements, opened in {@code host}; null without a network stack to enter it, or when the
     * socket cannot be opened (libnftables then does it all).
     */
    private NftDirect direct(NetnsRef host) {
        NetworkStack s = stack;
        if (s == null) {
            return null;
        }
        try {
            return new NftDirect(NetnsCalls.call(s, host, channels::get));
        } catch (PatchbayException | NetlinkError e) {
            return null;
        }
    }

    @Deactivate
    void deactivate() {
        contexts.values().forEach(NftContext::close);
        contexts.clear();
    }
}

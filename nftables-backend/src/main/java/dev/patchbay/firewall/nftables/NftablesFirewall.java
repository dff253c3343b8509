package dev.patchbay.firewall.nftables;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.NetnsCalls;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetworkStack;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The nftables backend: table {@code inet patchbay}, changed one transaction per call through
 * libnftables in process, one context per host namespace. Each context remembers what the table holds
 * (read once, then kept up to date), so changing one published port is one element operation,
 * whatever the number of others.
 */
@Component(property = {Firewall.BACKEND + "=nftables", "service.ranking:Integer=200"})
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
            return planApply(state(c), desired).text;
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
                Plan p = planApply(state(c), desired);
                if (p.text.isEmpty()) {
                    return null;
                }
                NftContext.Result r = c.run(p.text, p.addsRules ? LibNftables.OUTPUT_ECHO | LibNftables.OUTPUT_HANDLE : 0);
                p.commit(c.state, r.output());
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
                List<String> cmds = deletions(s, owner.id());
                Set<String> others = new TreeSet<>(s.owners());
                others.remove(owner.id());
                List<String> notices = new ArrayList<>();
                if (others.isEmpty() && s.table) {
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
                }
                if (!cmds.isEmpty()) {
                    c.run(String.join("\n", cmds) + "\n", 0);
                }
                if (others.isEmpty()) {
                    c.state = null; // torn down: cheap to read again
                } else {
                    s.rules.remove(owner.id());
                    s.elementsOf(owner.id()).forEach(s::removeElement);
                }
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

    /** The commands of one apply and how they change the remembered state. */
    private static final class Plan {
        String text = "";
        boolean addsRules;
        String owner;
        boolean addsSkeleton;
        List<NftRenderer.Element> removed = new ArrayList<>();
        List<NftRenderer.Element> added = new ArrayList<>();

        void commit(NftState s, String echo) {
            if (addsSkeleton) {
                s.table = true;
                s.chains.addAll(NftRenderer.CHAINS);
                s.chains.add(NftRenderer.USER_CHAIN);
                s.maps.addAll(NftRenderer.MAPS);
            }
            s.rules.remove(owner);
            s.rules.putAll(NftState.echoedRules(echo));
            removed.forEach(s::removeElement);
            added.forEach(s::addElement);
        }
    }

    private static Plan planApply(NftState s, Ruleset desired) {
        String owner = desired.owner().id();
        Plan p = new Plan();
        p.owner = owner;
        List<NftRenderer.Element> want = NftRenderer.elements(desired);
        for (NftRenderer.Element e : want) {
            NftRenderer.Element held = s.elements.get(NftState.id(e));
            if (held != null && !held.owner().equals(owner)) {
                throw new AlreadyExistsException("failed to publish \"" + e.key() + "\" in map " + e.map() + ": it is published by \""
                        + held.owner() + "\"");
            }
        }
        List<String> cmds = new ArrayList<>();
        if (!s.skeleton()) {
            cmds.addAll(NftRenderer.skeleton());
            p.addsSkeleton = true;
        }
        for (NftState.RuleRef r : s.rules.getOrDefault(owner, List.of())) {
            cmds.add("delete rule " + NftRenderer.T + " " + r.chain() + " handle " + r.handle());
        }
        Map<String, NftRenderer.Element> wanted = new HashMap<>();
        want.forEach(e -> wanted.put(NftState.id(e), e));
        for (NftRenderer.Element old : s.elementsOf(owner)) {
            NftRenderer.Element w = wanted.get(NftState.id(old));
            if (w == null || !w.value().equals(old.value())) {
                p.removed.add(old);
            }
        }
        Set<String> kept = new LinkedHashSet<>();
        for (NftRenderer.Element old : s.elementsOf(owner)) {
            if (!p.removed.contains(old)) {
                kept.add(NftState.id(old));
            }
        }
        for (NftRenderer.Element e : want) {
            if (!kept.contains(NftState.id(e))) {
                p.added.add(e);
            }
        }
        cmds.addAll(NftRenderer.deleteElements(p.removed));
        List<String> rules = NftRenderer.rules(desired);
        p.addsRules = !rules.isEmpty();
        cmds.addAll(rules);
        cmds.addAll(NftRenderer.addElements(p.added));
        p.text = cmds.isEmpty() ? "" : String.join("\n", cmds) + "\n";
        return p;
    }

    private static List<String> deletions(NftState s, String owner) {
        List<String> cmds = new ArrayList<>();
        for (NftState.RuleRef r : s.rules.getOrDefault(owner, List.of())) {
            cmds.add("delete rule " + NftRenderer.T + " " + r.chain() + " handle " + r.handle());
        }
        cmds.addAll(NftRenderer.deleteElements(s.elementsOf(owner)));
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
            String json;
            try {
                json = c.run("list table " + NftRenderer.T, LibNftables.OUTPUT_JSON).output();
            } catch (BackendException e) {
                if (!String.valueOf(e.getMessage()).contains("No such file or directory")) {
                    throw e;
                }
                json = "";
            }
            c.state = NftState.parse(json);
        }
        return c.state;
    }

    /** The context of {@code host}, created inside it; one per namespace (by identity: dev and inode). */
    NftContext ctx(NetnsRef host) {
        String key = host + "@" + identity(host);
        NftContext c = contexts.get(key);
        if (c == null) {
            c = NetnsCalls.call(stack, host, NftContext::create);
            NftContext raced = contexts.putIfAbsent(key, c);
            if (raced != null) {
                c.close();
                c = raced;
            }
        }
        return c;
    }

    private static String identity(NetnsRef host) {
        try {
            return Files.getAttribute(host.path(), "unix:dev") + ":" + Files.getAttribute(host.path(), "unix:ino");
        } catch (IOException | UnsupportedOperationException e) {
            throw new BackendException("failed to open " + host.describe() + ": " + e.getMessage(), e);
        }
    }

    @Deactivate
    void deactivate() {
        contexts.values().forEach(NftContext::close);
        contexts.clear();
    }
}

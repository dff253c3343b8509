package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.firewall.host.FirewallHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reconcile, level-triggered (design §12): per network, compare the kernel (the truth for what exists) with the records
 * (what was asked for) and make what is missing again. Read the kernel first, then the records:
 * <ul>
 * <li>the network's host side, as each plugin of its chain checks its own part ({@link NetworkPlugin#checkNetwork}, CNI's
 *     CHECK: the bridge driver's bridge, up, with its gateway addresses, forwarding on); repaired by the chain's
 *     {@link NetworkPlugin#setUpNetwork}, which is idempotent (create or verify), plugin by plugin, never undone on a
 *     failure (a repair must not delete what works);</li>
 * <li>the network's own rules and each attachment's, recorded and held by the backend; re-applied;</li>
 * <li>each attachment: its container namespace still the one it was attached in (else it is gone: gc detaches it),
 *     its host link there, what each plugin checks of its part ({@link NetworkPlugin#check}: the bridge's port on the
 *     bridge and up, a macvlan in its container), repaired by that plugin ({@link NetworkPlugin#repair}), and in a deep
 *     check its interface and addresses inside the container. An attachment whose link is gone while its container
 *     lives, or whose plugin cannot repair its part, is <b>plugged in again</b>: what is left of it is torn down and the
 *     chain set up anew with its recorded addresses (still reserved to it), interface, MAC and published ports. The
 *     driver's set-up is not idempotent, so it is never run over what exists; a set-up that fails undoes itself and the
 *     attachment is reported, its record kept.</li>
 * </ul>
 * The hot path ({@link #ensureCheap}, before every attach, detach and publish) looks only at the host interface: one
 * netlink request when nothing is missing; and, the first time a process touches the host's firewall (or after another
 * process changed it), at the firewall's whole footprint. The full check runs in {@code gc}, at daemon start and on the daemon's
 * netlink events; {@code network ls} and {@code inspect} show what it finds without changing anything.
 */
final class Reconcile {
    /** A network's health: {@code ok}, {@code degraded} (what is missing, in words), {@code damaged} or {@code unknown}. */
    record Health(String status, List<String> missing) {
        static final String OK = "ok";
        static final String DEGRADED = "degraded";
        static final String DAMAGED = "damaged";
        static final String UNKNOWN = "unknown";

        static Health of(List<Finding> findings) {
            return new Health(findings.isEmpty() ? OK : DEGRADED, findings.stream().map(Finding::what).toList());
        }
    }

    enum Kind { HOST_SIDE, NETWORK_RULES, CONTAINER_GONE, UNPLUGGED, PLUGIN, ATTACHMENT_RULES, BUNDLE }

    /** One thing missing, in words; {@code attachment} for the attachment findings; {@code plugins}: which found it (PLUGIN). */
    record Finding(Kind kind, String what, Attachment attachment, List<Integer> plugins) {
        Finding(Kind kind, String what, Attachment attachment) {
            this(kind, what, attachment, List.of());
        }
    }

    /** One host namespace as read once: links by name, firewall owners (read when needed). */
    static final class HostView {
        private final NetnsHandle host;
        private final FirewallHost firewall;
        private final Map<String, Link> links = new HashMap<>();
        private Set<RulesetOwner> drifted;
        private Map<RulesetOwner, Ruleset> recorded;

        HostView(NetnsHandle host, FirewallHost firewall) {
            this.host = host;
            this.firewall = firewall;
            for (Link l : host.links().list()) {
                links.put(l.name().value(), l);
            }
        }

        Link link(IfName name) {
            return name == null ? null : links.get(name.value());
        }

        /** The recorded owners the kernel does not hold whole: the backend's whole footprint, read once. */
        Set<RulesetOwner> drifted() {
            if (drifted == null) {
                drifted = firewall.drifted();
            }
            return drifted;
        }

        Ruleset recorded(RulesetOwner owner) {
            if (recorded == null) {
                recorded = firewall.rulesets();
            }
            return recorded.get(owner);
        }
    }

    private final NetworkManager m;
    private final NetworkStore store;
    private final Unplug unplug;

    Reconcile(NetworkManager manager, NetworkStore store, Unplug unplug) {
        this.m = manager;
        this.store = store;
        this.unplug = unplug;
    }

    /**
     * The hot path, under the network's lock before an attach, detach or publish: one lookup of the network's host
     * interface. Present and up: nothing else is read. Missing or down (someone deleted the bridge): the network is
     * repaired first (its host side, its rules, its attachments' links), so the operation works.
     */
    void ensureCheap(NetnsRef hostRef, NetworkRecord rec, Chain chain, NetworkContext ctx) {
        m.firewall.host(store.root(), hostRef).verify(); // the firewall's whole footprint, once per process
        IfName hi = ctx.hostInterface();
        if (hi == null) {
            return;
        }
        Optional<Link> l = ctx.host().links().find(LinkRef.name(hi));
        if (l.isPresent() && l.get().up()) {
            return;
        }
        repair(hostRef, rec, false, false, null);
    }

    /** What of the network is missing in {@code hostRef}'s kernel; changes nothing. {@code deep}: also inside each container. */
    Health check(NetnsRef hostRef, String hostId, NetworkRecord rec, Map<String, HostView> views, boolean deep) {
        Chain chain = m.chain(rec.config());
        chain.requireInstalled(); // a plugin missing: its network's health is unknown, said so by the caller
        NetworkContext ctx = m.context(hostRef, hostId, rec.config(), chain);
        HostView view = views.computeIfAbsent(hostId, k -> new HostView(ctx.host(), m.firewall.host(store.root(), hostRef)));
        return Health.of(findings(hostRef, ctx, chain, view, store.readableAttachments(rec.name()), deep, true));
    }

    /**
     * Makes what is missing again; the caller holds the network's lock. {@code deep}: also checks inside each container;
     * {@code detachGone}: attachments whose container namespace is gone are detached (gc), each added to {@code detached}
     * ({@code NETWORK/CONTAINER}) when not null. Returns what it did, in words (the detaches in {@code detached} only).
     */
    List<String> repair(NetnsRef hostRef, NetworkRecord given, boolean deep, boolean detachGone, List<String> detached) {
        List<String> done = new ArrayList<>();
        // read again under the lock: the network may have been removed (or moved) since the caller read it, and a
        // bridge of a removed network must not be made again
        NetworkRecord rec = store.network(given.name()).orElse(null);
        if (rec == null || !rec.hostNetns().equals(given.hostNetns())) {
            return done;
        }
        NetworkConfig config = rec.config();
        Chain chain = m.chain(config);
        NetworkContext ctx = m.context(hostRef, rec.hostNetns(), config, chain);
        if (detachGone && chain.plugins().stream().anyMatch(MissingPlugin.class::isInstance)) {
            return collectGone(hostRef, rec, chain, detached); // only what the records allow without the plugin
        }
        FirewallHost fw = m.firewall.host(store.root(), hostRef);
        List<Attachment> attachments = store.readableAttachments(config.name());
        List<Finding> found = findings(hostRef, ctx, chain, new HostView(ctx.host(), fw), attachments, deep, deep);
        Posted.health(rec.name(), found.stream().map(Finding::what).toList());
        if (found.isEmpty()) {
            return done;
        }
        Repairing r = new Repairing(hostRef, rec, chain, ctx, fw, detachGone, detached);
        List<String> hostSide = found.stream().filter(f -> f.kind() == Kind.HOST_SIDE).map(Finding::what).toList();
        if (!hostSide.isEmpty()) {
            r.hostSide(hostSide);
            found = findings(hostRef, ctx, chain, new HostView(ctx.host(), fw), attachments, deep, deep); // its ports are off it now
        }
        found.forEach(r::fix);
        r.errors.throwIfAny("failed to repair " + r.net + (r.done.isEmpty() ? "" : " (done: " + String.join("; ", r.done) + ")"));
        Posted.repaired(rec.name(), r.done);
        Posted.health(rec.name(), List.of());
        return r.done;
    }

    /** One network's repair under way: what it works on, what it did, what failed (each finding on its own). */
    private final class Repairing {
        private final NetnsRef hostRef;
        private final NetworkRecord rec;
        private final Chain chain;
        private final NetworkContext ctx;
        private final FirewallHost fw;
        private final boolean detachGone;
        private final List<String> detached;
        private final String net;
        private final List<String> done = new ArrayList<>();
        private final ErrorCollector errors = new ErrorCollector();
        private boolean bundles;

        Repairing(NetnsRef hostRef, NetworkRecord rec, Chain chain, NetworkContext ctx, FirewallHost fw, boolean detachGone, List<String> detached) {
            this.hostRef = hostRef;
            this.rec = rec;
            this.chain = chain;
            this.ctx = ctx;
            this.fw = fw;
            this.detachGone = detachGone;
            this.detached = detached;
            this.net = "network \"" + rec.name() + "\"";
        }

        /** The host side lacks {@code what}: each plugin sets its part up again (idempotent). */
        void hostSide(List<String> what) {
            for (int i = 0; i < chain.plugins().size(); i++) {
                int at = i;
                errors.run("set up " + chain.types().get(i) + " of " + net, () -> chain.setUpNetwork(ctx, at));
            }
            if (errors.isEmpty()) {
                done.add(net + ": made again " + String.join(", ", what));
            }
        }

        void fix(Finding f) {
            Attachment a = f.attachment();
            switch (f.kind()) {
                case NETWORK_RULES -> errors.run("apply the rules of " + net, () -> {
                    fw.apply(new Ruleset(Owners.network(rec.name()), chain.networkRules(ctx)));
                    done.add(net + ": re-applied its firewall rules");
                });
                case CONTAINER_GONE -> {
                    if (detachGone) {
                        errors.run("detach \"" + a.containerId() + "\"", () -> detachGone(f));
                    }
                }
                case PLUGIN -> errors.run("repair \"" + a.containerId() + "\"", () -> repairByPlugins(f));
                case UNPLUGGED -> errors.run("plug \"" + a.containerId() + "\" in again", () -> {
                    replug(ctx, chain, a);
                    done.add(net + ": plugged \"" + a.containerId() + "\" in again (" + f.what() + " was missing)");
                });
                case ATTACHMENT_RULES -> errors.run("apply the rules of \"" + a.containerId() + "\"", () -> attachmentRules(a));
                case BUNDLE -> errors.run("repair what other bundles keep for " + net, () -> {
                    if (!bundles) { // each source repairs all of its part at once
                        bundles = true;
                        var shown = new NetworkFeatures.Shown(store.root(), hostRef, rec.config(), store.readableAttachments(rec.name()));
                        for (NetworkChecks c : m.checks == null ? List.<NetworkChecks>of() : m.checks) {
                            c.repair(m.stack(), shown).forEach(w -> done.add(net + ": " + w));
                        }
                    }
                });
                default -> { }
            }
        }

        private void detachGone(Finding f) {
            Attachment a = f.attachment();
            unplug.detachLocked(hostRef, rec, chain, a.containerId());
            if (detached != null) {
                detached.add(rec.name() + "/" + a.containerId());
            } else {
                done.add(net + ": detached " + f.what());
            }
        }

        /** Each plugin that found its part missing repairs it; one that cannot: the chain plugs the container in anew. */
        private void repairByPlugins(Finding f) {
            Attachment a = f.attachment();
            boolean all = true;
            for (int i : f.plugins()) {
                all = all && chain.repair(ctx, a, i);
            }
            if (!all) {
                replug(ctx, chain, a);
            }
            done.add(net + (all ? ": repaired " : ": plugged \"" + a.containerId() + "\" in again (") + f.what() + (all ? "" : " was missing)"));
        }

        private void attachmentRules(Attachment a) {
            List<Rule> mine = chain.attachmentRules(ctx, a);
            if (mine.isEmpty()) {
                fw.remove(Owners.attachment(rec.name(), a.containerId()));
                done.add(net + ": removed rules of \"" + a.containerId() + "\" its record does not hold");
            } else {
                fw.apply(new Ruleset(Owners.attachment(rec.name(), a.containerId()), mine));
                done.add(net + ": re-applied the published ports of \"" + a.containerId() + "\"");
            }
        }
    }

    /**
     * Plugs an attachment in again whose link is gone while its container lives: what is left of it goes (the chain's
     * teardown: absent objects are fine), then the chain sets it up anew with what the record holds. Its addresses stay
     * reserved to it throughout; a set-up that fails undoes itself (the record is kept, and reported again).
     */
    private void replug(NetworkContext ctx, Chain chain, Attachment a) {
        ErrorCollector left = new ErrorCollector();
        chain.tearDown(ctx, a, left);
        left.throwIfAny("failed to remove what was left of \"" + a.containerId() + "\"");
        AttachRequest again = new AttachRequest(a.network(), a.containerId(), NetnsRef.path(Path.of(a.netnsPath())), a.ifName(),
                List.of(), a.mac(), a.ports(), false, a.options());
        Attachment made = chain.setUp(ctx, again, a);
        store.save(made);
    }

    /** {@code deep}: inside the containers too; {@code rules}: the firewall's owners too (a read of what the backend holds). */
    private List<Finding> findings(NetnsRef hostRef, NetworkContext ctx, Chain chain, HostView view, List<Attachment> attachments, boolean deep, boolean rules) {
        List<Finding> out = new ArrayList<>();
        NetworkConfig config = ctx.config();
        for (String w : chain.checkNetwork(ctx)) { // each plugin's CHECK of its part; setUpNetwork makes it again
            out.add(new Finding(Kind.HOST_SIDE, w, null));
        }
        List<Rule> own = rules ? chain.networkRules(ctx) : List.of();
        if (!own.isEmpty() && !held(view, Owners.network(config.name()), own)) {
            out.add(new Finding(Kind.NETWORK_RULES, "the network's firewall rules", null));
        }
        for (Attachment a : attachments) {
            String who = "\"" + a.containerId() + "\"";
            String gone = gone(a);
            if (gone != null) {
                out.add(new Finding(Kind.CONTAINER_GONE, "container " + who + " (" + gone + ")", a));
                continue;
            }
            Link hl = view.link(a.hostIf());
            if (a.hostIf() != null && hl == null) {
                out.add(new Finding(Kind.UNPLUGGED, "link \"" + a.hostIf() + "\" of " + who, a));
            } else {
                List<String> theirs = new ArrayList<>();
                List<Integer> by = new ArrayList<>();
                for (int i = 0; i < chain.plugins().size(); i++) {
                    List<String> w = chain.check(ctx, a, i);
                    theirs.addAll(w);
                    if (!w.isEmpty()) {
                        by.add(i);
                    }
                }
                if (!theirs.isEmpty()) {
                    out.add(new Finding(Kind.PLUGIN, String.join(", ", theirs) + " for " + who, a, List.copyOf(by)));
                }
                String inside = deep && theirs.isEmpty() ? inside(ctx, a) : null;
                if (inside != null) {
                    out.add(new Finding(Kind.UNPLUGGED, inside + " in " + who, a));
                }
            }
            // its rules too when it is plugged in again: one repair converges (after the replug, in this order)
            List<Rule> mine = rules ? chain.attachmentRules(ctx, a) : List.of();
            RulesetOwner owner = Owners.attachment(config.name(), a.containerId());
            Ruleset recorded = rules ? view.recorded(owner) : null;
            if (!mine.isEmpty() && !held(view, owner, mine)) {
                out.add(new Finding(Kind.ATTACHMENT_RULES, "the published ports of " + who, a));
            } else if (mine.isEmpty() && recorded != null && !recorded.rules().isEmpty()) { // a put-back the disk refused
                out.add(new Finding(Kind.ATTACHMENT_RULES, "rules of " + who + " its record does not hold", a));
            }
        }
        if (rules) { // what other bundles keep for the network, read as thoroughly as its rules
            var shown = new NetworkFeatures.Shown(store.root(), hostRef, config, attachments);
            NetworkChecks.checkAll(m.checks, m.stack(), shown).forEach(w -> out.add(new Finding(Kind.BUNDLE, w, null)));
        }
        return out;
    }

    /**
     * gc on a network one of whose plugins no bundle provides: its containers whose namespace is gone are detached from
     * the records ({@link MissingPlugin}); nothing is made again, and the missing plugin is named in what it did.
     */
    private List<String> collectGone(NetnsRef hostRef, NetworkRecord rec, Chain chain, List<String> detached) {
        List<String> done = new ArrayList<>();
        ErrorCollector errors = new ErrorCollector();
        for (Attachment a : store.readableAttachments(rec.name())) {
            String why = gone(a);
            if (why != null) {
                errors.run("detach \"" + a.containerId() + "\"", () -> {
                    unplug.detachLocked(hostRef, rec, chain, a.containerId());
                    if (detached != null) {
                        detached.add(rec.name() + "/" + a.containerId());
                    } else {
                        done.add("network \"" + rec.name() + "\": detached \"" + a.containerId() + "\" (" + why + ")");
                    }
                });
            }
        }
        errors.throwIfAny("failed to repair network \"" + rec.name() + "\"");
        try {
            chain.requireInstalled();
        } catch (PatchbayException e) {
            done.add("network \"" + rec.name() + "\": not checked further: " + e.getMessage());
        }
        return done;
    }

    /** Why the attachment's container is gone (its namespace file is missing, or names another namespace now), or null. */
    private String gone(Attachment a) {
        if (a.netnsPath() == null || a.netnsPath().isEmpty() || !Files.exists(Path.of(a.netnsPath()))) {
            return "its namespace is gone";
        }
        String recorded = store.netnsId(a.network(), a.containerId());
        if (recorded != null) {
            try {
                if (!NetnsIdentity.same(recorded, m.stack().identity(NetnsRef.path(Path.of(a.netnsPath()))))) {
                    return "its namespace was replaced by another one";
                }
            } catch (PatchbayException e) {
                return "its namespace is gone";
            }
        }
        return null;
    }

    /** What of the attachment is missing inside its container (its interface, an address), or null. */
    private String inside(NetworkContext ctx, Attachment a) {
        try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(Path.of(a.netnsPath())))) {
            Optional<Link> eth = ctr.links().find(LinkRef.name(a.ifName()));
            if (eth.isEmpty()) {
                return "interface \"" + a.ifName() + "\"";
            }
            List<IpPrefix> held = ctr.addresses().list(LinkRef.index(eth.get().index()), null);
            for (IpPrefix p : a.addresses()) {
                if (!held.contains(p)) {
                    return "address " + p + " on \"" + a.ifName() + "\"";
                }
            }
            return null;
        } catch (PatchbayException e) {
            return null; // cannot look inside (gone meanwhile): the next check tells
        }
    }

    /** The owner's rules are recorded as {@code rules} and the kernel holds them whole, with the backend's own part. */
    private static boolean held(HostView view, RulesetOwner owner, List<Rule> rules) {
        Ruleset recorded = view.recorded(owner);
        return recorded != null && recorded.rules().equals(rules)
                && !view.drifted().contains(owner);
    }
}

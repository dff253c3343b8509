package dev.patchbay.firewall.host;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.NetnsRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

/** The firewall of one host namespace: its record in state, its backend, swaps. */
final class Host implements FirewallHost {
    private final FirewallService service;
    private final Path stateDir;
    private final NetnsRef netns;

    Host(FirewallService service, Path stateDir, NetnsRef netns) {
        this.service = service;
        this.stateDir = stateDir;
        this.netns = netns;
    }

    private HostLog load() {
        return service.log(stateDir, HostIdentity.of(service.stack, stateDir, netns, true)).refresh(netns.toString());
    }

    /** For read-only work: changes no file. */
    private HostLog read() {
        return service.log(stateDir, HostIdentity.of(service.stack, stateDir, netns, false)).refresh(netns.toString());
    }

    /**
     * A change of this host's firewall, under the firewall lock: one writer at a time, across processes. If another
     * process changed it since this one last did, the backend's view of the kernel is read again first (a cached view
     * would add what is there or miss what is: EEXIST, or rules left of containers no longer recorded); afterwards the
     * change is stamped as this process's.
     */
    private <T> T changing(java.util.function.Function<HostLog, T> action) {
        return changing(action, done -> true);
    }

    /** {@link #changing(java.util.function.Function)}, stamped only when {@code changed} says the result changed something (or it failed). */
    private <T> T changing(java.util.function.Function<HostLog, T> action, java.util.function.Predicate<T> changed) {
        return FirewallService.locked(stateDir, () -> {
            HostLog r = load();
            Path key = r.file().toAbsolutePath().normalize();
            if (service.changedElsewhere(stateDir, key)) {
                refresh(r.backend());
                VERIFIED.remove(key); // and its footprint is checked again
            }
            T done;
            try {
                done = action.apply(r);
            } catch (RuntimeException e) {
                service.wrote(stateDir, key);
                throw e;
            }
            if (changed.test(done)) {
                service.wrote(stateDir, key);
            }
            return done;
        });
    }

    /** Drops what backend {@code name} keeps of this host's kernel, by reading it afresh; nothing for none recorded. */
    private void refresh(String name) {
        if (name == null) {
            return;
        }
        try {
            service.backend(name).firewall().owners(netns);
        } catch (RuntimeException e) {
            // not installed or not readable now: the change itself says so
        }
    }

    /** Read-only work under a shared lock that creates no file (nothing to lock when no writer ever came). */
    private <T> T readLocked(java.util.function.Supplier<T> action) {
        return dev.patchbay.state.FileLocks.readLocked(stateDir.resolve("firewall").resolve(".lock"), action);
    }

    /** Hosts this process has checked against the kernel, by log file: see {@link #verifyOnce}. */
    private static final Set<Path> VERIFIED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A change checks that the kernel holds every recorded owner, and re-applies those it lost: a backend that finds
     * its table gone (someone flushed it) rebuilds it with the one owner it is asked to apply, and the others' rules
     * would stay missing until the daemon's drift repair. With a backend whose check is cheap while only its own
     * changes touched the kernel ({@link FirewallService#DRIFT}: nftables asks the ruleset generation), every change
     * checks; with another (iptables reads iptables-save), the first change a process makes in a host does.
     */
    private List<RulesetOwner> verifyOnce(HostLog r) {
        Path key = r.file().toAbsolutePath().normalize();
        if (r.backend() == null || r.owners().isEmpty()) {
            return List.of();
        }
        try {
            if (!service.backend(r.backend()).cheapDrift() && !VERIFIED.add(key)) {
                return List.of();
            }
            return repairLocked(r);
        } catch (RuntimeException e) {
            VERIFIED.remove(key); // try again next time; the change itself goes on
            return List.of();
        }
    }

    /** A damaged record refuses new rules (another owner's ports may be in the lines lost): gc --repair rebuilds it. */
    private static void refuseIfDamaged(HostLog r) {
        List<String> damage = r.damage();
        if (!damage.isEmpty()) {
            throw new BackendException("the firewall record \"" + r.file() + "\" is damaged (" + String.join("; ", damage)
                    + "): run patchbay gc --repair, which rebuilds it from the network and attachment records");
        }
    }

    /** The recorded backend, else the configured one (PATCHBAY_FW), else the best-ranked usable one. */
    private FirewallService.Backend chosen(HostLog r) {
        if (r.backend() != null) {
            return service.backend(r.backend());
        }
        String env = System.getenv(FirewallManager.ENV);
        String from = FirewallManager.ENV;
        if (env == null || env.isBlank()) {
            env = dev.patchbay.state.HostSetting.get(dev.patchbay.state.HostSetting.FIREWALL);
            from = "the configuration's firewall";
        }
        if (env != null && !env.isBlank()) {
            FirewallService.Backend b = service.backend(env.strip());
            if (!b.firewall().usable(netns)) {
                throw new UnavailableException("failed to use firewall backend \"" + b.name() + "\" (from " + from
                        + "): it is not usable in " + netns.describe());
            }
            return b;
        }
        FirewallService.Backend fallback = null;
        for (FirewallService.Backend b : service.backends()) {
            if (b.firewall().usable(netns)) {
                if (b.firewall().conflicts(netns).isEmpty()) {
                    return b; // the best-ranked usable backend that nothing in this namespace defeats
                }
                fallback = fallback == null ? b : fallback;
            }
        }
        if (fallback != null) {
            return fallback;
        }
        throw new UnavailableException("failed to choose a firewall backend in " + netns.describe() + ": none is usable");
    }

    @Override
    public String backend() {
        return readLocked(() -> chosen(read()).name());
    }

    @Override
    public List<BackendInfo> backends() {
        return readLocked(() -> {
            HostLog r = read();
            String current;
            try {
                current = chosen(r).name();
            } catch (PatchbayException e) {
                current = r.backend();
            }
            List<BackendInfo> out = new ArrayList<>();
            for (FirewallService.Backend b : service.backends()) {
                out.add(new BackendInfo(b.name(), b.ranking(), b.firewall().usable(netns), b.name().equals(current)));
            }
            return out;
        });
    }

    @Override
    public Swap select(String name, boolean dryRun) {
        Swap swap = changing(r -> {
            FirewallService.Backend to = service.backend(name);
            if (!to.firewall().usable(netns)) {
                throw new UnavailableException("failed to select firewall backend \"" + name + "\": it is not usable in " + netns.describe());
            }
            String from = r.backend();
            List<String> owners = new ArrayList<>(r.owners().keySet());
            List<String> warnings = to.firewall().conflicts(netns);
            if (name.equals(from)) {
                return new Swap(from, name, owners, false, warnings);
            }
            if (dryRun) {
                return new Swap(from, name, owners, true, warnings);
            }
            refuseIfDamaged(r); // an owner in a lost line would be left behind on the old backend
            refresh(name); // this process's view of the new backend may be from before a swap away from it
            Map<RulesetOwner, Ruleset> all = rulesets(r);
            List<RulesetOwner> applied = new ArrayList<>();
            try {
                for (Ruleset rs : all.values()) {
                    to.firewall().apply(netns, rs);
                    applied.add(rs.owner());
                }
            } catch (RuntimeException e) {
                for (int i = applied.size() - 1; i >= 0; i--) {
                    try {
                        to.firewall().remove(netns, applied.get(i));
                    } catch (RuntimeException undo) {
                        e.addSuppressed(undo);
                    }
                }
                throw new BackendException("failed to swap firewall backend to \"" + name + "\": " + e.getMessage(), e);
            }
            r.backend(name);
            // then every other backend lets go of what it holds here, recorded owners or leftovers alike
            List<String> notices = new ArrayList<>(warnings);
            for (FirewallService.Backend b : service.backends()) {
                if (b.name().equals(name) || !b.firewall().usable(netns)) {
                    continue;
                }
                try {
                    for (RulesetOwner o : b.firewall().owners(netns)) {
                        notices.addAll(b.firewall().remove(netns, o));
                    }
                } catch (RuntimeException e) {
                    notices.add("failed to remove the rules of backend \"" + b.name() + "\": " + e.getMessage());
                }
            }
            return new Swap(from, name, owners, true, notices);
        });
        if (swap.changed() && !dryRun && !service.rehearsing) { // recorded: the backend is swapped
            Posted.backendSwapped((swap.from() == null ? "(none recorded)" : swap.from()) + " -> " + swap.to() + " in "
                    + netns.describe());
        }
        return swap;
    }

    @Override
    public void apply(Ruleset desired) {
        changing(r -> {
            refuseIfDamaged(r);
            verifyOnce(r);
            String id = desired.owner().id();
            Ruleset before = r.owner(id);
            Set<String> oldKeys = keys(before == null ? List.of() : before.entries());
            Set<String> newKeys = keys(desired.entries());
            for (String key : newKeys) {
                String holder = oldKeys.contains(key) ? null : r.portHolder(key);
                if (holder != null && !holder.equals(id)) {
                    throw new InvalidInputException("publish", key, "is already published by " + OwnerWords.words(holder));
                }
            }
            FirewallService.Backend b = chosen(r);
            r.put(desired); // recorded before the kernel has it: what the kernel holds is always recorded
            try {
                b.firewall().apply(netns, desired);
            } catch (RuntimeException e) {
                try {
                    if (before == null) {
                        r.remove(id);
                    } else {
                        r.put(before);
                    }
                } catch (RuntimeException undo) {
                    e.addSuppressed(undo);
                }
                throw OwnerWords.worded(e);
            }
            if (!b.name().equals(r.backend())) {
                r.backend(b.name());
            }
            return null;
        });
    }

    private static Set<String> keys(List<Rule.Entry> entries) {
        Set<String> out = new LinkedHashSet<>();
        entries.forEach(e -> out.add(e.key()));
        return out;
    }

    @Override
    public String plan(Ruleset desired) {
        return readLocked(() -> {
            HostLog r = read();
            if (service.changedElsewhere(stateDir, r.file().toAbsolutePath().normalize())) {
                refresh(r.backend()); // (seen again at the next change, which stamps)
            }
            return chosen(r).firewall().plan(netns, desired);
        });
    }

    @Override
    public List<String> remove(RulesetOwner owner) {
        return remove(owner, false);
    }

    @Override
    public List<String> removeOrRestore(RulesetOwner owner) {
        return remove(owner, true);
    }

    private List<String> remove(RulesetOwner owner, boolean restore) {
        return changing(r -> {
            Ruleset recorded = r.owner(owner.id());
            if (recorded == null && !r.doubtful()) {
                return List.of(); // never recorded, so never applied (apply records first): nothing to ask the backend
            }
            verifyOnce(r);
            FirewallService.Backend b = chosen(r);
            List<String> notices;
            try {
                notices = b.firewall().remove(netns, owner);
            } catch (RuntimeException e) {
                throw OwnerWords.worded(e);
            }
            try {
                r.remove(owner.id());
            } catch (RuntimeException e) { // the record still holds the rules (a full disk): so does the kernel again
                if (restore && recorded != null && !recorded.rules().isEmpty()) {
                    try {
                        b.firewall().apply(netns, recorded);
                    } catch (RuntimeException undo) {
                        e.addSuppressed(undo);
                    }
                }
                throw e;
            }
            return notices;
        });
    }

    @Override
    public Repair repair() {
        return changing(r -> new Repair(r.backend(), repairLocked(r)), done -> !done.owners().isEmpty());
    }

    @Override
    public List<RulesetOwner> verify() {
        return changing(this::verifyOnce, done -> !done.isEmpty());
    }

    /** Compares the backend's whole footprint with every recorded owner and re-applies those not held whole (the first puts back the backend's own part). */
    private List<RulesetOwner> repairLocked(HostLog r) {
        if (r.backend() == null || r.owners().isEmpty()) {
            return List.of();
        }
        Firewall fw = service.backend(r.backend()).firewall();
        Set<RulesetOwner> drifted = fw.drifted(netns, r.owners().values());
        List<RulesetOwner> repaired = new ArrayList<>();
        for (Ruleset rs : drifted.isEmpty() ? List.<Ruleset>of() : r.owners().values()) {
            if (drifted.contains(rs.owner()) && !rs.rules().isEmpty()) {
                fw.apply(netns, rs);
                repaired.add(rs.owner());
            }
        }
        return repaired;
    }

    @Override
    public Map<RulesetOwner, Ruleset> rulesets() {
        return readLocked(() -> rulesets(read()));
    }

    @Override
    public Set<RulesetOwner> present() {
        return readLocked(() -> {
            HostLog r = read();
            return r.backend() == null ? Set.of() : service.backend(r.backend()).firewall().owners(netns);
        });
    }

    @Override
    public Set<RulesetOwner> drifted() {
        return readLocked(() -> {
            HostLog r = read();
            return r.backend() == null || r.owners().isEmpty() ? Set.of() : service.backend(r.backend()).firewall().drifted(netns, rulesets(r).values());
        });
    }

    @Override
    public List<String> damage() {
        return readLocked(() -> {
            HostLog r = read();
            List<String> out = new ArrayList<>();
            r.damage().forEach(d -> out.add("state file \"" + r.file() + "\", " + d));
            return out;
        });
    }

    @Override
    public Path repairRecord() {
        return FirewallService.locked(stateDir, () -> load().repair());
    }

    @Override
    public List<String> removeOwners(java.util.function.Predicate<String> ids) {
        return changing(r -> {
            Set<String> all = new java.util.TreeSet<>();
            r.owners().keySet().stream().filter(ids).forEach(all::add);
            FirewallService.Backend b = r.backend() != null ? service.backend(r.backend()) : null;
            if (b == null) {
                try {
                    b = chosen(r);
                } catch (PatchbayException e) {
                    b = null; // no usable backend: nothing can be in a kernel through one
                }
            }
            if (b != null) {
                b.firewall().owners(netns).stream().map(RulesetOwner::id).filter(ids).forEach(all::add);
            }
            List<String> notices = new ArrayList<>();
            for (String id : all) {
                if (b != null) {
                    try {
                        notices.addAll(b.firewall().remove(netns, RulesetOwner.of(id)));
                    } catch (RuntimeException e) {
                        throw OwnerWords.worded(e);
                    }
                }
                r.remove(id);
            }
            return notices;
        });
    }

    private static Map<RulesetOwner, Ruleset> rulesets(HostLog r) {
        Map<RulesetOwner, Ruleset> out = new LinkedHashMap<>();
        r.owners().forEach((id, rs) -> out.put(rs.owner(), rs));
        return out;
    }
}

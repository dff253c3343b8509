package dev.patchbay.orchestrator.firewall;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import java.io.IOException;
import java.nio.file.Files;
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

    /**
     * The host's identity for its log ({@code BOOTID/COOKIE} from the stack, so a later namespace that gets the
     * same inode never inherits this one's backend and owners). A log kept under the {@code DEV:INO} name of an
     * earlier release is adopted once, by renaming it.
     */
    private String identity() {
        NetnsId id = service.stack != null ? service.stack.identity(netns) : devIno(netns);
        String name = id.toString();
        if (id.bootId() != null) {
            Path log = HostLog.file(stateDir, name);
            Path old = HostLog.file(stateDir, id.dev() + ":" + id.ino());
            if (!Files.exists(log) && Files.exists(old)) {
                try {
                    Files.move(old, log, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new BackendException("failed to adopt firewall state \"" + old + "\": " + e.getMessage(), e);
                }
            }
        }
        return name;
    }

    private static NetnsId devIno(NetnsRef netns) {
        try {
            Map<String, Object> a = Files.readAttributes(netns.path(), "unix:dev,ino");
            return new NetnsId(null, 0, (Long) a.get("dev"), (Long) a.get("ino"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new NotFoundException(netns.describe() + " does not exist (" + netns.path() + ")", e);
        }
    }

    private HostLog load() {
        return service.log(stateDir, identity()).refresh(netns.toString());
    }

    /** The recorded backend, else the configured one (PATCHBAY_FW), else the best-ranked usable one. */
    private FirewallService.Backend chosen(HostLog r) {
        if (r.backend() != null) {
            return service.backend(r.backend());
        }
        String env = System.getenv(FirewallManager.ENV);
        if (env != null && !env.isBlank()) {
            FirewallService.Backend b = service.backend(env.strip());
            if (!b.firewall().usable(netns)) {
                throw new UnavailableException("failed to use firewall backend \"" + b.name() + "\" (from " + FirewallManager.ENV
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
        return FirewallService.locked(stateDir, () -> chosen(load()).name());
    }

    @Override
    public List<BackendInfo> backends() {
        return FirewallService.locked(stateDir, () -> {
            HostLog r = load();
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
        return FirewallService.locked(stateDir, () -> {
            FirewallService.Backend to = service.backend(name);
            if (!to.firewall().usable(netns)) {
                throw new UnavailableException("failed to select firewall backend \"" + name + "\": it is not usable in " + netns.describe());
            }
            HostLog r = load();
            String from = r.backend();
            List<String> owners = new ArrayList<>(r.owners().keySet());
            List<String> warnings = to.firewall().conflicts(netns);
            if (name.equals(from)) {
                return new Swap(from, name, owners, false, warnings);
            }
            if (dryRun) {
                return new Swap(from, name, owners, true, warnings);
            }
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
    }

    @Override
    public void apply(Ruleset desired) {
        FirewallService.locked(stateDir, () -> {
            HostLog r = load();
            String id = desired.owner().id();
            Ruleset before = r.owner(id);
            Set<String> oldKeys = keys(before == null ? List.of() : before.entries());
            Set<String> newKeys = keys(desired.entries());
            for (String key : newKeys) {
                String holder = oldKeys.contains(key) ? null : r.portHolder(key);
                if (holder != null && !holder.equals(id)) {
                    throw new InvalidInputException("publish", key, "is already published by " + words(holder));
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
                throw e;
            }
            if (!b.name().equals(r.backend())) {
                r.backend(b.name());
            }
            return null;
        });
    }

    /** An owner as the operator knows it: {@code container "red" on network "web"}, {@code network "web"}. */
    static String words(String owner) {
        if (owner.startsWith("att:") && owner.indexOf('/') > 4) {
            int slash = owner.indexOf('/');
            return "container \"" + owner.substring(slash + 1) + "\" on network \"" + owner.substring(4, slash) + "\"";
        }
        return owner.startsWith("net:") ? "network \"" + owner.substring(4) + "\"" : "\"" + owner + "\"";
    }

    private static Set<String> keys(List<Rule.Entry> entries) {
        Set<String> out = new LinkedHashSet<>();
        entries.forEach(e -> out.add(e.key()));
        return out;
    }

    @Override
    public String plan(Ruleset desired) {
        return FirewallService.locked(stateDir, () -> chosen(load()).firewall().plan(netns, desired));
    }

    @Override
    public List<String> remove(RulesetOwner owner) {
        return FirewallService.locked(stateDir, () -> {
            HostLog r = load();
            if (r.owner(owner.id()) == null) {
                return List.of(); // never recorded, so never applied (apply records first): nothing to ask the backend
            }
            List<String> notices = chosen(r).firewall().remove(netns, owner);
            r.remove(owner.id());
            return notices;
        });
    }

    @Override
    public List<RulesetOwner> repair() {
        return FirewallService.locked(stateDir, () -> {
            HostLog r = load();
            if (r.backend() == null || r.owners().isEmpty()) {
                return List.of();
            }
            Firewall fw = service.backend(r.backend()).firewall();
            java.util.Set<RulesetOwner> present = fw.owners(netns);
            List<RulesetOwner> repaired = new ArrayList<>();
            for (Ruleset rs : rulesets(r).values()) {
                if (!present.contains(rs.owner()) && !rs.rules().isEmpty()) {
                    fw.apply(netns, rs);
                    repaired.add(rs.owner());
                }
            }
            return repaired;
        });
    }

    @Override
    public Map<RulesetOwner, Ruleset> rulesets() {
        return FirewallService.locked(stateDir, () -> rulesets(load()));
    }

    private static Map<RulesetOwner, Ruleset> rulesets(HostLog r) {
        Map<RulesetOwner, Ruleset> out = new LinkedHashMap<>();
        r.owners().forEach((id, rs) -> out.put(rs.owner(), rs));
        return out;
    }
}

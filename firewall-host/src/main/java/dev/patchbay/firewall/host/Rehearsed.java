package dev.patchbay.firewall.host;

import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.NetnsRef;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * A backend in a dry run: it reads the kernel as the backend does, and where the backend would change it, the backend's
 * {@link Firewall.Rehearsal} of that host says how, each command going to {@code out} with the host it runs in.
 */
final class Rehearsed implements Firewall {
    private final Firewall real;
    private final BiConsumer<NetnsRef, String> out;
    private final Map<NetnsRef, Rehearsal> hosts = new ConcurrentHashMap<>();

    Rehearsed(Firewall real, BiConsumer<NetnsRef, String> out) {
        this.real = real;
        this.out = out;
    }

    private Rehearsal of(NetnsRef host) {
        return hosts.computeIfAbsent(host, real::rehearse);
    }

    @Override
    public String backend() {
        return real.backend();
    }

    @Override
    public boolean usable(NetnsRef host) {
        return real.usable(host);
    }

    @Override
    public String render(Ruleset desired) {
        return real.render(desired);
    }

    @Override
    public String plan(NetnsRef host, Ruleset desired) {
        return real.plan(host, desired);
    }

    @Override
    public void apply(NetnsRef host, Ruleset desired) {
        of(host).apply(desired).forEach(line -> out.accept(host, line));
    }

    @Override
    public List<String> remove(NetnsRef host, RulesetOwner owner) {
        of(host).remove(owner).forEach(line -> out.accept(host, line));
        return List.of();
    }

    @Override
    public Set<RulesetOwner> owners(NetnsRef host) {
        return real.owners(host);
    }

    @Override
    public Set<RulesetOwner> drifted(NetnsRef host, Collection<Ruleset> recorded) {
        return real.drifted(host, recorded);
    }

    @Override
    public List<String> conflicts(NetnsRef host) {
        return real.conflicts(host);
    }

    @Override
    public Rehearsal rehearse(NetnsRef host) {
        return of(host);
    }
}

package dev.patchbay.firewall.host;

import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.NetnsRef;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/** Backend {@code none}: changes nothing, for hosts whose firewall someone else manages. */
@Component(property = {Firewall.BACKEND + "=none", "service.ranking:Integer=0"})
public final class NoopFirewall implements Firewall {
    @Override
    public String backend() {
        return "none";
    }

    @Override
    public boolean usable(NetnsRef host) {
        return true;
    }

    @Override
    public String render(Ruleset desired) {
        return "";
    }

    @Override
    public String plan(NetnsRef host, Ruleset desired) {
        return "";
    }

    @Override
    public void apply(NetnsRef host, Ruleset desired) {
        // nothing: the operator chose no firewall
    }

    @Override
    public List<String> remove(NetnsRef host, RulesetOwner owner) {
        return List.of();
    }

    @Override
    public Set<RulesetOwner> owners(NetnsRef host) {
        return Set.of();
    }

    /** Nothing is ever missing: nothing was ever put in (a repair re-applies nothing). */
    @Override
    public Set<RulesetOwner> drifted(NetnsRef host, java.util.Collection<Ruleset> recorded) {
        return Set.of();
    }
}

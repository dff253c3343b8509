package dev.patchbay.dryrun;

import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.spi.QdiscOps;
import java.util.List;
import java.util.Optional;

/** A dry run's root qdiscs: what the run set or deleted answers reads, the kernel the rest; changes become {@code tc} commands. */
final class OverlayQdiscs implements QdiscOps {
    private final OverlayStack stack;
    private final Layer layer;

    OverlayQdiscs(OverlayStack stack, Layer layer) {
        this.stack = stack;
        this.layer = layer;
    }

    @Override
    public void setRoot(LinkRef link, Qdisc.TokenBucket bucket) {
        Link l = layer.get(link);
        synchronized (layer) {
            layer.qdiscs.put(l.name().value(), Optional.of(new Qdisc("tbf", bucket)));
        }
        stack.script.in(layer.ref, List.of("tc", "qdisc", "replace", "dev", l.name().value(), "root", "tbf",
                "rate", (bucket.rate() * 8) + "bit", "burst", Integer.toString(bucket.burst()), "limit", Integer.toString(bucket.limit())));
    }

    @Override
    public Optional<Qdisc> root(LinkRef link) {
        Link l = layer.get(link);
        Optional<Qdisc> set;
        synchronized (layer) {
            set = layer.qdiscs.get(l.name().value());
        }
        if (set != null) {
            return set;
        }
        boolean kernels = layer.real != null && layer.real.links().find(LinkRef.name(l.name())).isPresent();
        return kernels ? layer.real.qdiscs().root(LinkRef.name(l.name())) : Optional.empty();
    }

    @Override
    public boolean deleteRoot(LinkRef link) {
        if (root(link).isEmpty()) {
            return false;
        }
        Link l = layer.get(link);
        synchronized (layer) {
            layer.qdiscs.put(l.name().value(), Optional.empty());
        }
        stack.script.in(layer.ref, List.of("tc", "qdisc", "del", "dev", l.name().value(), "root"));
        return true;
    }

    @Override
    public void redirectIngress(LinkRef link, LinkRef target) {
        String l = layer.get(link).name().value();
        String t = layer.get(target).name().value();
        boolean had = ingressRedirect(link).isPresent();
        synchronized (layer) {
            layer.ingress.put(l, Optional.of(LinkRef.name(t)));
        }
        if (had) {
            stack.script.in(layer.ref, List.of("tc", "qdisc", "del", "dev", l, "ingress"));
        }
        stack.script.in(layer.ref, List.of("tc", "qdisc", "add", "dev", l, "ingress"));
        stack.script.in(layer.ref, List.of("tc", "filter", "add", "dev", l, "parent", "ffff:", "protocol", "all", "prio", "1",
                "u32", "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", t));
    }

    @Override
    public Optional<LinkRef> ingressRedirect(LinkRef link) {
        Link l = layer.get(link);
        Optional<LinkRef> set;
        synchronized (layer) {
            set = layer.ingress.get(l.name().value());
        }
        if (set != null) {
            return set;
        }
        boolean kernels = layer.real != null && layer.real.links().find(LinkRef.name(l.name())).isPresent();
        return kernels ? layer.real.qdiscs().ingressRedirect(LinkRef.name(l.name())) : Optional.empty();
    }

    @Override
    public boolean deleteIngress(LinkRef link) {
        if (ingressRedirect(link).isEmpty()) {
            return false;
        }
        String l = layer.get(link).name().value();
        synchronized (layer) {
            layer.ingress.put(l, Optional.empty());
        }
        stack.script.in(layer.ref, List.of("tc", "qdisc", "del", "dev", l, "ingress"));
        return true;
    }
}

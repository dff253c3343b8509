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
}

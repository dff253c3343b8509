package dev.patchbay.testing;

import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.spi.QdiscOps;
import java.util.Optional;

/** The root qdisc of each fake link: null while it has the kernel's default. */
final class FakeQdiscOps extends FakeOps implements QdiscOps {
    FakeQdiscOps(FakeNetworkStack.Handle handle) {
        super(handle);
    }

    @Override
    public void setRoot(LinkRef link, Qdisc.TokenBucket bucket) {
        change("qdiscs.setRoot", link + " " + bucket, () -> {
            ns.get(link).qdisc = new Qdisc("tbf", java.util.Objects.requireNonNull(bucket, "bucket"));
        });
    }

    @Override
    public Optional<Qdisc> root(LinkRef link) {
        return read("qdiscs.root", link, () -> Optional.ofNullable(ns.get(link).qdisc));
    }

    @Override
    public boolean deleteRoot(LinkRef link) {
        return change("qdiscs.deleteRoot", link, () -> {
            FakeNetworkStack.FakeLink l = ns.get(link);
            boolean had = l.qdisc != null;
            l.qdisc = null;
            return had;
        });
    }

    @Override
    public void redirectIngress(LinkRef link, LinkRef target) {
        change("qdiscs.redirectIngress", link + " " + target, () -> {
            FakeNetworkStack.FakeLink l = ns.get(link);
            l.ingress = ns.get(target);
        });
    }

    @Override
    public Optional<LinkRef> ingressRedirect(LinkRef link) {
        return read("qdiscs.ingressRedirect", link, () -> {
            FakeNetworkStack.FakeLink l = ns.get(link);
            return l.ingress == null || l.ingress == l ? Optional.<LinkRef>empty() : Optional.of(LinkRef.name(l.ingress.name));
        });
    }

    @Override
    public boolean deleteIngress(LinkRef link) {
        return change("qdiscs.deleteIngress", link, () -> {
            FakeNetworkStack.FakeLink l = ns.get(link);
            boolean had = l.ingress != null;
            l.ingress = null;
            return had;
        });
    }
}

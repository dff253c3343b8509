package dev.patchbay.core.spi;

import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.Qdisc;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The root queueing discipline of one namespace's links, as far as a rate limit needs it. An absent link raises
 * NotFoundException. A link moved to another namespace loses its qdisc (the kernel's default takes over).
 *
 * @since 1.4
 */
@ProviderType
public interface QdiscOps {
    /** Makes {@code bucket} the root qdisc of {@code link}, replacing whatever is there ({@code tc qdisc replace ... root tbf}). */
    void setRoot(LinkRef link, Qdisc.TokenBucket bucket);

    /**
     * The root qdisc someone set on {@code link}; empty while it has the kernel's default (handle 0). A token bucket's burst
     * is read back as the kernel keeps it, as time at the rate: within about 1% of what was set.
     */
    Optional<Qdisc> root(LinkRef link);

    /** Puts the kernel's default back on {@code link}; false when it already had it. */
    boolean deleteRoot(LinkRef link);

    /**
     * Sends all that arrives on {@code link} out by {@code target} instead (an ifb, to shape it there): {@code tc qdisc add dev
     * LINK ingress; tc filter add dev LINK parent ffff: u32 match u32 0 0 action mirred egress redirect dev TARGET}. @since 2.2
     */
    void redirectIngress(LinkRef link, LinkRef target);

    /** The link (by name) {@code link}'s arrivals are redirected to; empty without. */
    Optional<LinkRef> ingressRedirect(LinkRef link);

    /** Deletes {@code link}'s ingress qdisc, and with it the redirect; false when it had none. */
    boolean deleteIngress(LinkRef link);
}

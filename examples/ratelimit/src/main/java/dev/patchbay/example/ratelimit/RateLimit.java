package dev.patchbay.example.ratelimit;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * {@code --chain +ratelimit}: a token bucket (the kernel's {@code tbf}) on each container's link, {@code --opt rate=10mbit}
 * for every container of the network or {@code attach --opt rate=...} for one. It shapes the traffic into the container:
 * the driver's host-side link where it made one (a bridge port), else what the container sends (its own interface, e.g.
 * a macvlan's). A chained plugin: its qdisc goes with the link, and its check says when someone deleted it.
 */
@Component(property = {NetworkPlugin.TYPE + "=ratelimit", NetworkPlugin.ROLE + "=" + NetworkPlugin.CHAINED,
        NetworkPlugin.ATTACH_OPTIONS + "=" + Rates.RATE, NetworkPlugin.ATTACH_OPTIONS + "=" + Rates.BURST})
public final class RateLimit implements NetworkPlugin {

    @Override
    public Map<String, String> options() {
        return Map.of(Rates.RATE, "the most each container may receive, e.g. 10mbit (none: no limit); per container with attach --opt",
                Rates.BURST, "bytes sent at once above the rate, e.g. 64kb (default: 10 ms at the rate, at least 32kb)");
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        bucket(ctx.config(), Map.of()); // throws InvalidInputException naming the option and the value
    }

    @Override
    public void validate(NetworkContext ctx, AttachRequest request) {
        bucket(ctx.config(), request.options());
    }

    @Override
    public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
        put(ctx, previous, bucket(ctx.config(), request.options()));
        return previous;
    }

    private static void put(NetworkContext ctx, Attachment a, Qdisc.TokenBucket b) {
        if (b != null) {
            on(ctx, a, (h, link) -> {
                h.qdiscs().setRoot(link, b);
                return null;
            });
        }
    }

    @Override
    public void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
        if (bucket(ctx.config(), attachment.options()) != null) { // usually gone with its link; a link that stays loses it
            errors.run("delete the rate limit of \"" + attachment.containerId() + "\"", () -> on(ctx, attachment, (h, link) -> h.qdiscs().deleteRoot(link)));
        }
    }

    @Override
    public List<String> check(NetworkContext ctx, Attachment attachment) {
        Qdisc.TokenBucket want = bucket(ctx.config(), attachment.options());
        if (want == null) {
            return List.of();
        }
        try {
            Optional<Qdisc> root = on(ctx, attachment, (h, link) -> h.qdiscs().root(link));
            Qdisc.TokenBucket have = root.map(Qdisc::tokenBucket).orElse(null);
            boolean held = have != null && have.rate() == want.rate() && have.limit() == want.limit();
            String rate = attachment.options().getOrDefault(Rates.RATE, ctx.config().option(Rates.RATE).orElse(""));
            return held ? List.of() : List.of("rate limit " + rate + " on \"" + target(attachment) + "\"");
        } catch (NotFoundException gone) { // the link or the container: the driver's check names it, and plugs it in again
            return List.of();
        }
    }

    @Override
    public boolean repair(NetworkContext ctx, Attachment attachment) {
        put(ctx, attachment, bucket(ctx.config(), attachment.options()));
        return true;
    }

    /** The attachment's options over the network's. */
    static Qdisc.TokenBucket bucket(NetworkConfig config, Map<String, String> perAttachment) {
        Map<String, String> all = new HashMap<>(config.options());
        all.putAll(perAttachment);
        return Rates.bucket(all.get(Rates.RATE), all.get(Rates.BURST));
    }

    private static IfName target(Attachment a) {
        return a.hostIf() != null ? a.hostIf() : a.ifName();
    }

    /** Runs {@code op} on the shaped link: in the host namespace when the driver made a host-side link, else in the container. */
    private static <T> T on(NetworkContext ctx, Attachment a, java.util.function.BiFunction<NetnsHandle, LinkRef, T> op) {
        if (a.hostIf() != null) {
            return op.apply(ctx.host(), LinkRef.name(a.hostIf()));
        }
        try (NetnsHandle container = ctx.stack().open(NetnsRef.path(Path.of(a.netnsPath())))) {
            return op.apply(container, LinkRef.name(a.ifName()));
        }
    }
}

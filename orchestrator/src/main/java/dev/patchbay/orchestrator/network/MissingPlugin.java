package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Stands in the chain for a plugin no bundle provides (its bundle removed for good, or not started): everything that
 * makes or checks something refuses, naming the plugin, as before; teardown works from the records, so that the
 * network's containers can be detached and the network removed ({@code --force}) or collected by {@code gc}. The
 * orchestrator removes the rules (they are recorded per owner) and releases the addresses itself; this removes the
 * links the records name: for the driver, the attachment's host-side link, or, when it has none, its interface in the
 * container's namespace (a macvlan, say). A chained plugin's own objects, and the driver's network-wide ones (a
 * bridge), are not recorded: they stay.
 */
final class MissingPlugin implements NetworkPlugin {
    private final boolean driver;
    private final Supplier<UnavailableException> why;

    MissingPlugin(boolean driver, Supplier<UnavailableException> why) {
        this.driver = driver;
        this.why = why;
    }

    /** The error every use but a teardown gets. */
    UnavailableException unavailable() {
        return why.get();
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        throw why.get();
    }

    @Override
    public void validate(NetworkContext ctx, AttachRequest request) {
        throw why.get();
    }

    @Override
    public void setUpNetwork(NetworkContext ctx) {
        throw why.get();
    }

    @Override
    public void networkRules(NetworkContext ctx, List<Rule> rules) {
        throw why.get();
    }

    @Override
    public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
        throw why.get();
    }

    @Override
    public void attachmentRules(NetworkContext ctx, Attachment attachment, List<Rule> rules) {
        throw why.get();
    }

    @Override
    public void tearDown(NetworkContext ctx, Attachment a, ErrorCollector errors) {
        if (!driver) {
            return;
        }
        if (a.hostIf() != null) {
            errors.run("delete link \"" + a.hostIf() + "\"", () -> ctx.host().links().delete(LinkRef.name(a.hostIf())));
        } else if (a.netnsPath() != null && !a.netnsPath().isEmpty() && Files.exists(Path.of(a.netnsPath())) && a.ifName() != null) {
            errors.run("delete link \"" + a.ifName() + "\" in " + a.netnsPath(), () -> {
                try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(Path.of(a.netnsPath())))) {
                    ctr.links().delete(LinkRef.name(a.ifName()));
                }
            });
        }
    }
}

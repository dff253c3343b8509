package dev.patchbay.example.starter;

import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * {@code --chain rpfilter}: sets reverse-path filtering on the container's interface
 * ({@code net.ipv4.conf.IFNAME.rp_filter}), strict by default. A chained plugin: it runs after the driver
 * made the interface, and its work goes with the interface, so it has nothing to tear down.
 */
@Component(property = {NetworkPlugin.TYPE + "=rpfilter", NetworkPlugin.ROLE + "=" + NetworkPlugin.CHAINED,
        NetworkPlugin.FLAGS + "=rpfilter=MODE"})
public final class RpFilter implements NetworkPlugin {
    static final String MODE = "rpfilter";

    @Override
    public Map<String, String> options() {
        return Map.of(MODE, "reverse-path filter of the container's interface: 0 off, 1 strict, 2 loose (default 1)");
    }

    @Override
    public Map<String, String> defaults(NetworkConfig config) {
        return Map.of(MODE, "1");
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        ctx.config().number(MODE, 0, 2); // throws InvalidInputException naming the option and the value
    }

    @Override
    public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
        String mode = String.valueOf(ctx.config().number(MODE, 0, 2));
        try (NetnsHandle container = ctx.stack().open(request.container())) {
            container.sysctl().ensure("net.ipv4.conf." + previous.ifName() + ".rp_filter", mode);
        }
        return previous;
    }
}

package dev.patchbay.netlink;

import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetnsOps;
import dev.patchbay.core.spi.NetworkStack;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Component;

/**
 * The kernel's networking over rtnetlink. {@link #open} makes a socket inside the namespace
 * (entering it on a short-lived thread of its own), after which everything goes through that
 * socket from any thread.
 */
@Component(service = NetworkStack.class)
public final class NetlinkNetworkStack implements NetworkStack {
    private final NetlinkNetnsOps namespaces = new NetlinkNetnsOps(NetnsRef.RUN_DIR);

    @Override
    public NetnsHandle open(NetnsRef netns) {
        NetlinkSocket socket = netns instanceof NetnsRef.Current ? NetlinkSocket.open()
                : NetnsThreads.callIn(netns, NetlinkSocket::open);
        return new NetlinkHandle(netns, socket);
    }

    @Override
    public NetnsOps namespaces() {
        return namespaces;
    }

    @Override
    public <T> T callIn(NetnsRef netns, Callable<T> task) {
        return NetnsThreads.callIn(netns, task);
    }
}

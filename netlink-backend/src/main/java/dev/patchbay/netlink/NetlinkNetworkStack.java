package dev.patchbay.netlink;

import dev.patchbay.core.model.NetnsId;
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

    /**
     * The boot id and the kernel's cookie of the namespace, read without entering it where the kernel can (ioctl
     * NS_GET_ID, Linux 6.18+), else from a socket made inside it (SO_NETNS_COOKIE, 5.14+); on an older kernel the
     * device and inode of its file alone (see {@link NetnsIds}). NotFoundException names a namespace that does not exist.
     */
    @Override
    public NetnsId identity(NetnsRef netns) {
        return NetnsIds.of(netns);
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

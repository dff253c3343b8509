package dev.patchbay.orchestrator.network;

import dev.patchbay.core.model.NetEvent;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.LinkOps;
import dev.patchbay.core.spi.NeighbourOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetnsOps;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.core.spi.RouteOps;
import dev.patchbay.core.spi.RuleOps;
import dev.patchbay.core.spi.SysctlOps;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The stack as one request sees it: each namespace is opened once, however many steps and plugins of the request
 * open it (picking the next free ethN, the driver's checks, its set-up), and closed when the request ends. Opening
 * a namespace costs a thread that enters it and a socket made there (about 0.3 ms): an attach opened its container's
 * three times. The handles it lends ignore {@code close}; everything else goes to the real stack.
 */
final class RequestStack implements NetworkStack, AutoCloseable {
    private final NetworkStack stack;
    private final Map<NetnsRef, NetnsHandle> open = new LinkedHashMap<>();

    RequestStack(NetworkStack stack) {
        this.stack = stack;
    }

    @Override
    public synchronized NetnsHandle open(NetnsRef netns) {
        return new Lent(open.computeIfAbsent(netns, stack::open));
    }

    @Override
    public NetnsOps namespaces() {
        return stack.namespaces();
    }

    @Override
    public <T> T callIn(NetnsRef netns, Callable<T> task) {
        return stack.callIn(netns, task);
    }

    @Override
    public NetnsId identity(NetnsRef netns) {
        return stack.identity(netns);
    }

    /** Closes every handle the request opened. */
    @Override
    public synchronized void close() {
        open.values().forEach(NetnsHandle::close);
        open.clear();
    }

    /** A handle of the request's: closing it leaves it open for the request's next step. */
    private record Lent(NetnsHandle handle) implements NetnsHandle {
        @Override
        public NetnsRef netns() {
            return handle.netns();
        }

        @Override
        public LinkOps links() {
            return handle.links();
        }

        @Override
        public AddressOps addresses() {
            return handle.addresses();
        }

        @Override
        public RouteOps routes() {
            return handle.routes();
        }

        @Override
        public RuleOps rules() {
            return handle.rules();
        }

        @Override
        public NeighbourOps neighbours() {
            return handle.neighbours();
        }

        @Override
        public SysctlOps sysctl() {
            return handle.sysctl();
        }

        @Override
        public java.util.List<dev.patchbay.core.model.ListeningSocket> listeningSockets() {
            return handle.listeningSockets();
        }

        @Override
        public dev.patchbay.core.spi.QdiscOps qdiscs() {
            return handle.qdiscs();
        }

        @Override
        public AutoCloseable monitor(Consumer<NetEvent> listener) {
            return handle.monitor(listener);
        }

        @Override
        public void close() {
            // the request closes it
        }
    }
}

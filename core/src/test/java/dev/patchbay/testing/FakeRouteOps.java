package dev.patchbay.testing;

import static dev.patchbay.testing.FakeNetworkStack.describe;
import static dev.patchbay.testing.FakeNetworkStack.withDevice;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.spi.RouteOps;
import java.util.List;
import java.util.Objects;

/** Routes of one fake namespace. */
final class FakeRouteOps extends FakeOps implements RouteOps {
    FakeRouteOps(FakeNetworkStack.Handle handle) {
        super(handle);
    }

    /** The route as the kernel keeps it: with the device it leaves by. */
    private Route resolve(Route r) {
        if (r.device() != null) {
            if (!ns.get(LinkRef.name(r.device())).up && r.destination().isV4()) {
                throw new BackendException("failed to add route \"" + describe(r) + "\" in " + where() + ": Device for nexthop is not up");
            }
            return r;
        }
        if (r.gateway() == null) {
            return r;
        }
        return ns.links.stream().filter(l -> l.up && l.addresses.stream().anyMatch(a -> a.contains(r.gateway())))
                .findFirst().map(l -> withDevice(r, l.name)).orElseThrow(() -> new BackendException("failed to add route \""
                        + describe(r) + "\" in " + where() + ": gateway not reachable through any link (add an address in its subnet first)"));
    }

    static boolean sameKey(Route a, Route b) {
        return a.destination().equals(b.destination()) && table(a.table()) == table(b.table()) && Objects.equals(a.metric(), b.metric());
    }

    private static int table(Integer t) {
        return t == null ? 254 : t; // null is the main table
    }

        @Override
        public void add(Route route) {
            change("routes.add", describe(route), () -> {
                Route r = resolve(route);
                if (ns.routes.stream().anyMatch(x -> sameKey(x, r))) {
                    throw new AlreadyExistsException("route \"" + describe(route) + "\" already exists in " + where());
                }
                ns.routes.add(r);
            });
        }

        @Override
        public void replace(Route route) {
            change("routes.replace", describe(route), () -> {
                Route r = resolve(route);
                ns.routes.removeIf(x -> sameKey(x, r));
                ns.routes.add(r);
            });
        }

        @Override
        public void delete(Route route) {
            change("routes.delete", describe(route), () -> {
                boolean gone = ns.routes.removeIf(x -> sameKey(x, route)
                        && (route.gateway() == null || route.gateway().equals(x.gateway()))
                        && (route.device() == null || route.device().equals(x.device())));
                if (!gone) {
                    throw new NotFoundException("route \"" + describe(route) + "\" not found in " + where());
                }
            });
        }

        @Override
        public List<Route> list(Family family, Integer table) {
            return read("routes.list", null, () -> ns.routes.stream()
                    .filter(r -> (family == null || r.destination().family() == family) && table(r.table()) == table(table)).toList());
        }
    
}

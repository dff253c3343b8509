package dev.patchbay.testing;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.spi.NeighbourOps;
import java.util.List;

/** Neighbours of one fake namespace. */
final class FakeNeighbourOps extends FakeOps implements NeighbourOps {
    FakeNeighbourOps(FakeNetworkStack.Handle handle) {
        super(handle);
    }

        @Override
        public void add(Neighbour n) {
            change("neighbours.add", n.address() + " dev " + n.device(), () -> {
                ns.get(LinkRef.name(n.device()));
                if (ns.neighbours.stream().anyMatch(x -> x.device().equals(n.device()) && x.address().equals(n.address()))) {
                    throw new AlreadyExistsException("neighbour \"" + IpAddresses.format(n.address()) + " on " + n.device() + "\" already exists in " + where());
                }
                ns.neighbours.add(n);
            });
        }

        @Override
        public void replace(Neighbour n) {
            change("neighbours.replace", n.address() + " dev " + n.device(), () -> {
                ns.get(LinkRef.name(n.device()));
                ns.neighbours.removeIf(x -> x.device().equals(n.device()) && x.address().equals(n.address()));
                ns.neighbours.add(n);
            });
        }

        @Override
        public void delete(IfName device, java.net.InetAddress address) {
            change("neighbours.delete", IpAddresses.format(address) + " dev " + device, () -> {
                if (!ns.neighbours.removeIf(x -> x.device().equals(device) && x.address().equals(address))) {
                    throw new NotFoundException("neighbour \"" + IpAddresses.format(address) + " on " + device + "\" not found in " + where());
                }
            });
        }

        @Override
        public List<Neighbour> list(Family family) {
            return read("neighbours.list", null, () -> ns.neighbours.stream()
                    .filter(n -> family == null || Family.of(n.address()) == family).toList());
        }
    

    @Override
    public void appendFdb(Fdb f) {
        change("neighbours.appendFdb", f.mac() + " dev " + f.device(), () -> {
            ns.get(LinkRef.name(f.device()));
            if (!ns.fdb.contains(f)) {
                ns.fdb.add(f);
            }
        });
    }

    @Override
    public void deleteFdb(Fdb f) {
        change("neighbours.deleteFdb", f.mac() + " dev " + f.device(), () -> {
            if (!ns.fdb.remove(f)) {
                throw new NotFoundException("fdb entry \"" + f.mac() + " dst " + IpAddresses.format(f.destination()) + " on " + f.device()
                        + "\" not found in " + where());
            }
        });
    }

    @Override
    public List<Fdb> listFdb(IfName device) {
        return read("neighbours.listFdb", device, () -> ns.fdb.stream().filter(f -> f.device().equals(device)).toList());
    }
}

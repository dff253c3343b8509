package dev.patchbay.testing;

import static dev.patchbay.testing.FakeNetworkStack.connected;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.testing.FakeNetworkStack.FakeLink;
import java.util.List;

/** Addresses of one fake namespace. */
final class FakeAddressOps extends FakeOps implements AddressOps {
    FakeAddressOps(FakeNetworkStack.Handle handle) {
        super(handle);
    }

        @Override
        public void add(LinkRef link, IpPrefix address) {
            change("addresses.add", address + " dev " + link, () -> {
                FakeLink l = ns.get(link);
                if (l.addresses.contains(address)) {
                    throw new AlreadyExistsException("address \"" + address + " on " + link + "\" already exists in " + where());
                }
                ns.addAddress(l, address);
            });
        }

        @Override
        public boolean ensure(LinkRef link, IpPrefix address) {
            return change("addresses.ensure", address + " dev " + link, () -> {
                FakeLink l = ns.get(link);
                return !l.addresses.contains(address) && ns.addAddress(l, address);
            });
        }

        @Override
        public void replace(LinkRef link, IpPrefix address) {
            change("addresses.replace", address + " dev " + link, () -> {
                FakeLink l = ns.get(link);
                if (!l.addresses.contains(address)) {
                    ns.addAddress(l, address);
                }
            });
        }

        @Override
        public void delete(LinkRef link, IpPrefix address) {
            change("addresses.delete", address + " dev " + link, () -> {
                FakeLink l = ns.get(link);
                if (!l.addresses.remove(address)) {
                    throw new NotFoundException("address \"" + address + " on " + link + "\" not found in " + where());
                }
                ns.routes.remove(connected(l, address));
            });
        }

        @Override
        public List<IpPrefix> list(LinkRef link, Family family) {
            return read("addresses.list", link, () -> ns.get(link).addresses.stream()
                    .filter(a -> family == null || a.family() == family).toList());
        }

        @Override
        public List<Assigned> listAll(Family family) {
            return read("addresses.listAll", null, () -> ns.links.stream().flatMap(l -> l.addresses.stream()
                    .filter(a -> family == null || a.family() == family).map(a -> new Assigned(l.index, a))).toList());
        }
    
}

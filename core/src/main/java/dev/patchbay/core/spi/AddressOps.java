package dev.patchbay.core.spi;

import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Interface addresses of one namespace. */
@ProviderType
public interface AddressOps {
    void add(LinkRef link, IpPrefix address);

    /** Adds unless present; returns false if it was there already. */
    boolean ensure(LinkRef link, IpPrefix address);

    void replace(LinkRef link, IpPrefix address);

    void delete(LinkRef link, IpPrefix address);

    /** Addresses of one link, {@code family == null} for both. */
    List<IpPrefix> list(LinkRef link, Family family);

    /** Every address of the namespace, by link index. */
    List<Assigned> listAll(Family family);

    record Assigned(int linkIndex, IpPrefix address) {
    }
}

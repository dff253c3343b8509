package dev.patchbay.core.spi;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkChange;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Links of one namespace. Absent links raise NotFoundException, taken names AlreadyExistsException. */
@ProviderType
public interface LinkOps {
    Link add(LinkSpec spec);

    /** Create-or-verify: returns the existing link if it has the same kind, fails if the name is taken by another kind. */
    Link ensure(LinkSpec spec);

    Optional<Link> find(LinkRef ref);

    Link get(LinkRef ref);

    List<Link> list();

    void setUp(LinkRef ref, boolean up);

    /** {@code master == null} removes the link from its bridge. */
    void setMaster(LinkRef port, LinkRef master);

    void setMtu(LinkRef ref, int mtu);

    void setMac(LinkRef ref, MacAddress mac);

    void rename(LinkRef ref, IfName newName);

    /** Moves the link to another namespace; its index may change there, so re-find it by name. */
    void moveTo(LinkRef ref, NetnsRef target);

    /** Bridge-port flags (hairpin: reflect frames back out the port they came in). */
    void setBridgePort(LinkRef port, Boolean hairpin, Boolean isolated);

    void delete(LinkRef ref);

    /**
     * Creates many links in as few kernel round trips as possible (one request each, sent together).
     * All or nothing: if one fails, those this call created are deleted again and the first failure is thrown.
     */
    default void addAll(List<LinkSpec> specs) {
        throw new dev.patchbay.core.errors.UnavailableException("this link provider cannot add links in batches");
    }

    /** Deletes many links in as few round trips as possible; links already gone are ignored. */
    default void deleteAll(List<LinkRef> refs) {
        throw new dev.patchbay.core.errors.UnavailableException("this link provider cannot delete links in batches");
    }

    /** Sets in one request what {@code change} holds (up, promiscuous, all-multicast, link group). @since 1.3 */
    void set(LinkRef ref, LinkChange change);

    /** Deletes every link of link group {@code group} in one request (one RCU grace period); false if it had none. */
    boolean deleteGroup(int group);
}

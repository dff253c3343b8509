package dev.patchbay.core.spi;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A raw netlink socket of one protocol, bound to the namespace it was opened in, for a backend that encodes its own
 * messages (e.g. nftables' set-element batches). It asks for extended ACKs (kernel error strings, offending-attribute
 * offsets) and capped ACKs (errors do not echo the request). Not thread-safe: one caller at a time.
 */
@ProviderType
public interface NetlinkChannel extends AutoCloseable {
    /** {@code NETLINK_NETFILTER}: nfnetlink, the protocol of nf_tables. */
    int NETLINK_NETFILTER = 12;

    /** The netlink protocol number this socket was opened for. */
    int protocol();

    /**
     * Sends {@code datagram} (whole netlink messages back to back, native byte order, lengths filled in) from its position
     * to its limit in one {@code sendmsg}: one unit, as an nfnetlink batch must be. The send buffer grows to fit.
     */
    void send(ByteBuffer datagram);

    /**
     * Blocks for the next datagram: a read-only view in native byte order from 0 to its length, valid until the next
     * call. One larger than the receive buffer is an error, never silently cut.
     */
    ByteBuffer receive();

    @Override
    void close();
}

package dev.patchbay.core.spi;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A raw netlink socket of one protocol, bound to the namespace it was opened in, for a backend that
 * encodes its own messages (the nftables backend sends nf_tables set-element batches this way).
 * The socket asks for extended ACKs (kernel error strings, offending-attribute offsets) and for
 * capped ACKs (errors do not echo the request). Not thread-safe: one caller at a time.
 */
@ProviderType
public interface NetlinkChannel extends AutoCloseable {
    /** {@code NETLINK_NETFILTER}: nfnetlink, the protocol of nf_tables. */
    int NETLINK_NETFILTER = 12;

    /** The netlink protocol number this socket was opened for. */
    int protocol();

    /**
     * Sends {@code datagram} (complete netlink messages back to back, native byte order, lengths
     * filled in) from its position to its limit in one {@code sendmsg}, so the kernel reads it as one
     * unit, as an nfnetlink batch must be read. The send buffer grows to fit.
     */
    void send(ByteBuffer datagram);

    /**
     * Blocks until the next datagram arrives and returns it: a read-only view in native byte order
     * from 0 to its length, valid until the next call. A datagram larger than the receive buffer is
     * an error, never silently cut.
     */
    ByteBuffer receive();

    @Override
    void close();
}

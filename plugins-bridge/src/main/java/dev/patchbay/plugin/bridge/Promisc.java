package dev.patchbay.plugin.bridge;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetlinkChannel;
import dev.patchbay.core.spi.NetworkStack;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Promiscuous mode for the bridge, which the SPI's LinkOps has no call for: one RTM_NEWLINK setting IFF_PROMISC in
 * {@code ifi_change} on a raw rtnetlink socket of the host namespace, the kernel's ACK read back.
 */
final class Promisc {
    private static final int IFF_PROMISC = 0x100;

    private Promisc() {
    }

    static void on(NetworkStack stack, NetnsRef netns, int index, IfName name) {
        try (NetlinkChannel ch = stack.openNetlink(netns, 0 /* NETLINK_ROUTE */)) {
            ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
            b.putInt(32).putShort((short) 16 /* RTM_NEWLINK */).putShort((short) (0x1 | 0x4) /* REQUEST, ACK */).putInt(1).putInt(0);
            b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(index).putInt(IFF_PROMISC).putInt(IFF_PROMISC);
            b.flip();
            ch.send(b);
            ByteBuffer r = ch.receive();
            int errno = r.limit() >= 20 && r.getShort(4) == 2 /* NLMSG_ERROR */ ? -r.getInt(16) : 0;
            if (errno != 0) {
                throw new PatchbayException("failed to put bridge \"" + name + "\" in promiscuous mode: errno " + errno);
            }
        }
    }
}

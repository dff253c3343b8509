package dev.patchbay.cni;

import dev.patchbay.core.errors.NotPermittedException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetlinkChannel;
import dev.patchbay.core.spi.NetworkStack;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Interface flags the SPI's LinkOps has no call for (promiscuous mode, all-multicast): one RTM_NEWLINK with the flag
 * in {@code ifi_change} on a raw rtnetlink socket of the namespace, the kernel's ACK read back.
 */
final class LinkFlags {
    static final int IFF_PROMISC = 0x100;
    static final int IFF_ALLMULTI = 0x200;
    private static final int NETLINK_ROUTE = 0;
    private static final short RTM_NEWLINK = 16;
    private static final short NLMSG_ERROR = 2;
    private static final short NLM_F_REQUEST_ACK = 0x1 | 0x4;

    private LinkFlags() {
    }

    static void set(NetworkStack stack, NetnsRef netns, int index, int flag, boolean on, String what) {
        try (NetlinkChannel ch = stack.openNetlink(netns, NETLINK_ROUTE)) {
            ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
            b.putInt(32).putShort(RTM_NEWLINK).putShort(NLM_F_REQUEST_ACK).putInt(1).putInt(0); // nlmsghdr
            b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(index).putInt(on ? flag : 0).putInt(flag); // ifinfomsg
            b.flip();
            ch.send(b);
            ByteBuffer r = ch.receive();
            if (r.limit() >= 20 && r.getShort(4) == NLMSG_ERROR) {
                int errno = -r.getInt(16);
                if (errno == 1 || errno == 13) {
                    throw new NotPermittedException("cannot set " + what + ": not permitted (errno " + errno + ")", null);
                }
                if (errno != 0) {
                    throw new PatchbayException("cannot set " + what + ": the kernel answered errno " + errno);
                }
            }
        }
    }
}

package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;

/** A fixed-size kernel struct that follows the netlink header (ifinfomsg, rtmsg, ...). */
public interface NlStruct {
    /** Size in bytes as the kernel declares it (already 4-byte aligned for every struct here). */
    int size();

    /** Writes the struct at the buffer's position (native byte order), advancing it. */
    void write(ByteBuffer out);
}

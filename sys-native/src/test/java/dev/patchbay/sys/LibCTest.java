package dev.patchbay.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libpatchbay-sys on the plain class path: each call's result, and errno taken inside the call. Nothing here changes
 * the machine's network: a netlink socket that asks the kernel for the loopback link (a read) is the most it does;
 * setns, unshare and mount are exercised by the kernel tests inside their own namespaces.
 */
class LibCTest {
    private static final int EBADF = 9;

    private final LibC libc = Sys.libc();

    @Test
    void aFailedCallReturnsMinusOneAndErrnoSaysWhy() {
        assertEquals(-1, libc.open("/nonexistent/patchbay", Sys.O_RDONLY | Sys.O_CLOEXEC, 0));
        assertEquals(Errno.ENOENT, Sys.errno());
        assertEquals(-1, libc.close(-1));
        assertEquals(EBADF, Sys.errno());
        assertEquals("ENOENT (No such file or directory)", Sys.describe(Errno.ENOENT));
    }

    @Test
    void errnoBelongsToTheThreadThatMadeTheCall() throws InterruptedException {
        assertEquals(-1, libc.close(-1));
        Thread other = new Thread(() -> libc.open("/nonexistent/patchbay", Sys.O_RDONLY, 0));
        other.start();
        other.join();
        assertEquals(EBADF, Sys.errno());
    }

    @Test
    void flockExcludesASecondOpenFileDescription(@TempDir Path dir) {
        Path file = dir.resolve("lock");
        int a = libc.open(file.toString(), Sys.O_RDONLY | Sys.O_CREAT | Sys.O_CLOEXEC, 0600);
        int b = libc.open(file.toString(), Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
        assertTrue(a >= 0 && b >= 0);
        try {
            assertTrue(Files.exists(file));
            assertEquals(0, libc.flock(a, Sys.LOCK_EX));
            assertEquals(-1, libc.flock(b, Sys.LOCK_EX | 4)); // LOCK_NB
            assertEquals(Errno.EAGAIN, Sys.errno());
            assertEquals(0, libc.flock(a, Sys.LOCK_UN));
            assertEquals(0, libc.flock(b, Sys.LOCK_SH));
        } finally {
            libc.close(a);
            libc.close(b);
        }
    }

    @Test
    void sixtyFourBitOutValues() {
        int s = libc.socket(Sys.AF_UNIX, Sys.SOCK_DGRAM | Sys.SOCK_CLOEXEC, 0);
        assertTrue(s >= 0);
        int ns = libc.open("/proc/self/ns/net", Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
        assertTrue(ns >= 0);
        try {
            long[] cookie = {0};
            assertEquals(0, libc.getsockopt(s, Sys.SOL_SOCKET, Sys.SO_NETNS_COOKIE, cookie));
            assertNotEquals(0, cookie[0]);
            long[] id = {0};
            if (libc.ioctl(ns, Sys.NS_GET_ID, id) == 0) { // Linux 6.18+: the same number
                assertEquals(cookie[0], id[0]);
            }
        } finally {
            libc.close(s);
            libc.close(ns);
        }
    }

    /** RTM_GETLINK for ifindex 1 (lo) and its reply: sendto from the buffer's position, recv into one. */
    @Test
    void aNetlinkRequestAndItsReply() {
        int fd = libc.socket(16, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC, 0); // AF_NETLINK, NETLINK_ROUTE
        assertTrue(fd >= 0);
        try {
            ByteBuffer kernel = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
            kernel.putShort(0, (short) 16);
            ByteBuffer req = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
            req.position(8); // the request starts at 8: the offset must reach C
            req.putInt(32).putShort((short) 18).putShort((short) 1).putInt(7).putInt(0); // nlmsghdr: GETLINK, REQUEST
            req.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(1).putInt(0).putInt(0); // ifinfomsg: index 1
            req.position(8);
            assertEquals(32, libc.sendto(fd, req, 32, 0, kernel, 12));
            ByteBuffer reply = ByteBuffer.allocateDirect(8192).order(ByteOrder.nativeOrder());
            long n = libc.recv(fd, reply, reply.capacity(), 0);
            assertTrue(n > 16, "reply of " + n);
            assertEquals(16, reply.getShort(4)); // RTM_NEWLINK
            assertEquals(7, reply.getInt(8)); // our sequence number
            assertEquals(1, reply.getInt(20)); // ifi_index
            assertThrows(IllegalArgumentException.class, () -> libc.recv(fd, ByteBuffer.allocate(16), 16, 0));
            assertThrows(IllegalArgumentException.class, () -> libc.recv(fd, reply, reply.capacity() + 1, 0));
            assertThrows(IllegalArgumentException.class, () -> libc.bind(fd, kernel, 16)); // C would read past its end
        } finally {
            libc.close(fd);
        }
    }

    @Test
    void libnftablesOpensOnFirstUse() {
        String why = Nftables.unavailable();
        if (why != null) {
            assertTrue(why.contains("libnftables"), why); // the loader's message names it
            return;
        }
        long ctx = Nftables.newContext();
        assertNotEquals(0, ctx);
        try {
            Nftables.Run bad = Nftables.run(ctx, 0, "this is not nft\n");
            assertNotEquals(0, bad.rc());
            assertTrue(bad.error().contains("syntax error"), bad.error());
            Nftables.Run describe = Nftables.run(ctx, 0, "describe tcp dport\n"); // reads nothing of the kernel
            assertEquals(0, describe.rc(), describe.error());
            assertNotNull(describe.output());
        } finally {
            Nftables.free(ctx);
        }
        assertNull(Nftables.unavailable());
    }
}

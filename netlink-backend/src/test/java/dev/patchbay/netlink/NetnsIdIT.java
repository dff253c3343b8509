package dev.patchbay.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@link dev.patchbay.core.spi.NetworkStack#identity}: one namespace, one id, whichever way it is named; a new namespace never gets an old id. */
@NetnsTest
class NetnsIdIT {
    final NetlinkNetworkStack stack = new NetlinkNetworkStack();

    @Test
    void twoNamespacesDifferAndOneIsTheSameByNameByPathAndByPid(Sandbox sandbox) throws Exception {
        NetnsRef red = NetnsRef.named(sandbox.netns("red"));
        NetnsRef blue = NetnsRef.named(sandbox.netns("blue"));
        NetnsId r = stack.identity(red);
        NetnsId b = stack.identity(blue);
        assertNotEquals(r.toString(), b.toString());
        assertFalse(r.sameAs(b));
        assertFalse(stack.identity(NetnsRef.current()).sameAs(r));
        assertEquals(r, stack.identity(NetnsRef.path(red.path())));
        Process sleeper = new ProcessBuilder("ip", "netns", "exec", red.toString(), "sleep", "30").start();
        try {
            NetnsId byPid = null;
            for (int i = 0; i < 100 && (byPid == null || !byPid.equals(r)); i++) { // until exec has entered the namespace
                Thread.sleep(20);
                byPid = stack.identity(NetnsRef.pid(sleeper.pid()));
            }
            assertEquals(r, byPid);
        } finally {
            sleeper.destroy();
            sleeper.waitFor();
        }
        assertEquals(r.toString(), stack.identity(red).toString());
        assertTrue(r.toString().startsWith(Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip() + "/"), r.toString());
    }

    @Test
    void theCookieIsTheOneASocketInsideTheNamespaceReports(Sandbox sandbox) {
        NetnsRef ns = NetnsRef.named(sandbox.netns("ck"));
        assertEquals(stack.callIn(ns, NetnsIds::socketCookie), stack.identity(ns).cookie());
        assertEquals(NetnsIds.socketCookie(), stack.identity(NetnsRef.current()).cookie());
        System.out.println("NetnsIdIT: cookies come from " + NetnsIds.source() + " on Linux " + System.getProperty("os.version"));
    }

    @Test
    void aNewNamespaceInTheOldOnesPlaceGetsANewId(Sandbox sandbox) throws InterruptedException {
        String name = sandbox.name("again");
        NetnsRef ref = NetnsRef.named(name);
        stack.namespaces().create(name);
        NetnsId old = stack.identity(ref);
        stack.namespaces().delete(name);
        assertThrows(NotFoundException.class, () -> stack.identity(ref));
        boolean sameInode = false;
        for (int i = 0; i < 5; i++) { // the kernel frees a namespace's inode a moment after its last user: give it time
            Thread.sleep(100L * i);
            stack.namespaces().create(name);
            NetnsId now = stack.identity(ref);
            assertNotEquals(old.toString(), now.toString());
            assertFalse(old.sameAs(now));
            assertFalse(NetnsId.parse(old.toString()).sameAs(now));
            sameInode |= old.ino() == now.ino();
            stack.namespaces().delete(name);
        }
        System.out.println("NetnsIdIT: a new namespace got the deleted one's inode: " + sameInode);
    }

    @Test
    void writtenFormsAreReadBack(Sandbox sandbox) {
        NetnsRef ns = NetnsRef.named(sandbox.netns("rd"));
        NetnsId id = stack.identity(ns);
        assertTrue(NetnsId.parse(id.toString()).sameAs(id));
        NetnsId legacy = NetnsId.parse(id.dev() + ":" + id.ino()); // a record written before cookies
        assertEquals(id.dev() + ":" + id.ino(), legacy.toString());
        assertTrue(legacy.sameAs(id) && id.sameAs(legacy));
        assertFalse(legacy.sameAs(stack.identity(NetnsRef.current())));
        assertThrows(RuntimeException.class, () -> NetnsId.parse("nonsense"));
        NotFoundException e = assertThrows(NotFoundException.class, () -> stack.identity(NetnsRef.named(sandbox.name("none"))));
        assertTrue(e.getMessage().contains("namespace \"" + sandbox.name("none") + "\""), e.getMessage());
    }

    @Test
    void oneIdentityCostsMicroseconds(Sandbox sandbox) {
        NetnsRef ns = NetnsRef.named(sandbox.netns("cost"));
        System.out.printf("NetnsIdIT: identity() median %.1f us (named), %.1f us (current); via a socket on a worker %.1f us%n",
                median(() -> stack.identity(ns)), median(() -> stack.identity(NetnsRef.current())),
                median(() -> stack.callIn(ns, NetnsIds::socketCookie)));
    }

    private static double median(Supplier<?> call) {
        long[] ns = new long[3000];
        for (int i = 0; i < 2000; i++) {
            call.get(); // warm up
        }
        for (int i = 0; i < ns.length; i++) {
            long t = System.nanoTime();
            call.get();
            ns[i] = System.nanoTime() - t;
        }
        Arrays.sort(ns);
        return ns[ns.length / 2] / 1000.0;
    }
}

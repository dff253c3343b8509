package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Never an address twice, when the records lie: a torn attachment line, a garbled or a deleted reservation. The
 * kernel (the addresses the containers' interfaces hold) is the evidence: an address one holds is neither freed by gc
 * nor handed out again, and each such state gets a clear answer. No daemon: every call is a fresh process.
 */
@NetnsTest
class AddressIntegrityIT {
    private static final Pattern INET = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");
    private final Cli cli = Cli.fresh();
    private final Path state = cli.stateDir();

    /**
     * The last line of the attachment log cut short: the live attachment it recorded keeps its address, and gc records
     * it again from the kernel (so that nothing of it is left when the network goes).
     */
    @Test
    void aTornAttachmentLineNeverFreesTheAddressItsContainerHolds(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        String c3 = sandbox.netns("c3");
        try {
            cli.run("network", "create", "tear", "--subnet", "10.121.0.0/24", "--bridge", "pbtear0").ok();
            cli.run("attach", "tear", "--netns", c1).ok();
            cli.run("attach", "tear", "--netns", c2).ok();
            String held = address(sandbox, c2);
            Path log = state.resolve("attachments/tear.log");
            List<String> lines = new ArrayList<>(Files.readAllLines(log));
            String last = lines.remove(lines.size() - 1);
            assertTrue(last.contains(held), "the last line records c2: " + last);
            Files.writeString(log, String.join("\n", lines) + "\n" + last.substring(0, last.length() / 2));

            Cli.Run gc = cli.run("gc").ok();
            StateDamageIT.clean(gc.err());
            assertTrue(Files.exists(reservation("tear", held)), "gc kept the reservation of " + held + ": " + gc.out());
            assertTrue(gc.out().contains("again from the kernel") && gc.out().contains(held) && gc.out().contains("host side veth"), gc.out());
            assertEquals(2, com.google.gson.JsonParser.parseString(cli.run("-o", "json", "ls", "tear").ok().out())
                    .getAsJsonArray().size(), "c1 and c2 are attached");
            cli.run("attach", "tear", "--netns", c3).ok();
            assertNotEquals(held, address(sandbox, c3), "c3 got another address than the one c2 holds");
            assertEachAddressOnce(sandbox, c1, c2, c3);
            assertTrue(sandbox.ping(c3, address(sandbox, c1)), "c3 -> c1");
            assertTrue(sandbox.ping(c3, held), "c3 -> c2");
            cli.run("detach", "tear", "--netns", c2).ok();
            assertFalse(Files.exists(reservation("tear", held)), "c2's detach released its address");
            assertTrue(sandbox.ping(c1, "10.121.0.1"), "c2's detach took its own link, not c1's: c1 -> gateway");
        } finally {
            cli.run("network", "rm", "--force", "tear");
        }
        cli.assertNoRecords();
    }

    /** A reservation file garbled: kept by gc and named, never handed out while its container holds the address. */
    @Test
    void aGarbledReservationIsKeptNamedAndNotHandedOut(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        String held = null;
        try {
            cli.run("network", "create", "garb", "--subnet", "10.122.0.0/24", "--bridge", "pbgarb0").ok();
            cli.run("attach", "garb", "--netns", c1).ok();
            held = address(sandbox, c1);
            Files.write(reservation("garb", held), new byte[] {0, (byte) 0xff, '{', '\n'});

            Cli.Run gc = cli.run("gc").ok();
            StateDamageIT.clean(gc.err());
            assertTrue(Files.exists(reservation("garb", held)), "gc kept the garbled reservation: " + gc.out());
            assertFalse(gc.out().contains("freed 1"), gc.out());
            Cli.Run ls = cli.run("ipam", "ls").ok();
            assertTrue((ls.out() + ls.err()).contains(held), "ipam ls names the reservation it cannot read: " + ls.out() + ls.err());
            cli.run("attach", "garb", "--netns", c2).ok();
            assertNotEquals(held, address(sandbox, c2));
            assertEachAddressOnce(sandbox, c1, c2);
        } finally {
            Cli.Run rm = cli.run("network", "rm", "--force", "garb");
            assertTrue(held == null || (rm.out() + rm.err()).contains(held), "rm names the reservation it keeps: " + rm.out() + rm.err());
        }
        assertTrue(Files.exists(reservation("garb", held)), "a reservation that cannot be read is kept, never freed by a guess");
        cli.run("ipam", "release", "garb", "--address", held).ok(); // the operator's call, once the container is known gone
        cli.assertNoRecords();
    }

    /** A reservation file deleted under a live attachment: {@code --ip} of that address is refused, no partial state. */
    @Test
    void aDeletedReservationIsNotHandedOutAgain(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        try {
            cli.run("network", "create", "gone", "--subnet", "10.123.0.0/24", "--bridge", "pbgone0").ok();
            cli.run("attach", "gone", "--netns", c1).ok();
            String held = address(sandbox, c1);
            Files.delete(reservation("gone", held));

            Cli.Run taken = cli.run("attach", "gone", "--netns", c2, "--ip", held);
            assertNotEquals(0, taken.code(), taken.out());
            assertTrue(taken.err().contains(held), "the error names the address: " + taken.err());
            StateDamageIT.clean(taken.err());
            assertFalse(sandbox.execIn(c2, "ip", "-o", "link", "show").output().contains("eth0"), "nothing made in c2");
            assertEquals(1, com.google.gson.JsonParser.parseString(cli.run("-o", "json", "ls", "gone").ok().out())
                    .getAsJsonArray().size(), "c1 alone is attached");
            cli.run("attach", "gone", "--netns", c2).ok();
            assertNotEquals(held, address(sandbox, c2));
            assertEachAddressOnce(sandbox, c1, c2);
            cli.run("gc").ok();
            assertEachAddressOnce(sandbox, c1, c2);
        } finally {
            cli.run("network", "rm", "--force", "gone");
        }
        cli.assertNoRecords();
    }

    private Path reservation(String network, String address) {
        return state.resolve("ipam").resolve(network).resolve(address);
    }

    private static String address(Sandbox sandbox, String ns) throws Exception {
        Matcher m = INET.matcher(sandbox.execIn(ns, "ip", "-o", "-4", "addr", "show", "dev", "eth0").output());
        assertTrue(m.find(), ns + " has an IPv4 address on eth0");
        return m.group(1);
    }

    /** No IPv4 address is held by two of the containers' interfaces. */
    private static void assertEachAddressOnce(Sandbox sandbox, String... namespaces) throws Exception {
        Map<String, String> holder = new HashMap<>();
        for (String ns : namespaces) {
            String a = address(sandbox, ns);
            assertNotNull(a);
            String before = holder.put(a, ns);
            assertEquals(null, before, a + " is held by " + before + " and " + ns);
        }
    }
}

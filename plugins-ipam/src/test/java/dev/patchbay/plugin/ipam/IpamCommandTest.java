package dev.patchbay.plugin.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetnsOps;
import dev.patchbay.core.spi.NetworkStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code patchbay ipam ls|gc} tell an operator about a damaged reservation. */
class IpamCommandTest {
    @TempDir
    Path data;

    NetworkStack stack;

    String run(String... args) {
        IpamCommand cmd = new IpamCommand();
        cmd.ipam = new HostLocalIpam();
        cmd.stack = stack;
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(cmd);
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute(args), out::toString);
        return out.toString();
    }

    @Test
    void lsAndGcNameAnUnreadableReservationAndKeepIt() throws Exception {
        HostLocalIpam ipam = new HostLocalIpam();
        IpamConfig config = IpamConfig.ofSubnets(IpPrefix.parse("10.0.0.0/24"));
        ipam.allocate(AllocationRequest.of(data, "web", "c1", IfName.of("eth0"), config));
        ipam.allocate(AllocationRequest.of(data, "web", "c2", IfName.of("eth0"), config));
        Files.writeString(data.resolve("web").resolve("10.0.0.2"), "");

        String ls = run("ls", "--data-dir", data.toString());
        assertTrue(ls.contains("(unreadable)") && ls.contains("network \"web\": the reservation of 10.0.0.2 cannot be read "
                + "(the record is empty); it stays reserved. Once no interface holds 10.0.0.2, free it with: "
                + "patchbay ipam release web --address 10.0.0.2"), ls);

        String dry = run("gc", "web", "--none-valid", "--dry-run", "--data-dir", data.toString());
        assertTrue(dry.startsWith("would release on network \"web\": 10.0.0.3\n"), dry);
        assertTrue(dry.contains("judged by the records alone") && dry.contains("the reservation of 10.0.0.2 cannot be read"), dry);
        String gc = run("gc", "web", "--none-valid", "--data-dir", data.toString());
        assertTrue(gc.startsWith("released on network \"web\": 10.0.0.3\n") && gc.contains("10.0.0.2 cannot be read"), gc);
        assertTrue(Files.exists(data.resolve("web").resolve("10.0.0.2")));
    }

    /** A kernel where namespace "red" holds {@code address} on one of its interfaces. */
    static NetworkStack kernelWhereRedHolds(String address) {
        AddressOps red = fake(AddressOps.class, (m, a) -> m.getName().equals("listAll")
                ? List.of(new AddressOps.Assigned(2, IpPrefix.parse(address + "/24"))) : null);
        AddressOps empty = fake(AddressOps.class, (m, a) -> List.of());
        NetnsOps names = fake(NetnsOps.class, (m, a) -> m.getName().equals("list") ? List.of("red") : null);
        return fake(NetworkStack.class, (m, a) -> switch (m.getName()) {
            case "namespaces" -> names;
            case "open" -> fake(NetnsHandle.class, (m2, a2) -> m2.getName().equals("addresses")
                    ? (a[0].equals(NetnsRef.named("red")) ? red : empty) : null);
            default -> null;
        });
    }

    interface Answer {
        Object answer(java.lang.reflect.Method m, Object[] args);
    }

    static <T> T fake(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, m, args) -> answer.answer(m, args)));
    }

    @Test
    void gcKeepsWhatAnInterfaceHoldsAndSaysSo() {
        HostLocalIpam ipam = new HostLocalIpam();
        IpamConfig config = IpamConfig.ofSubnets(IpPrefix.parse("10.0.0.0/24"));
        ipam.allocate(AllocationRequest.of(data, "web", "c1", IfName.of("eth0"), config));
        ipam.allocate(AllocationRequest.of(data, "web", "c2", IfName.of("eth0"), config));
        stack = kernelWhereRedHolds("10.0.0.3");
        String gc = run("gc", "web", "--none-valid", "--data-dir", data.toString());
        assertEquals("released on network \"web\": 10.0.0.2\n"
                + "kept 10.0.0.3 (c2/eth0, no valid attachment): an interface holds the address\n", gc);
        assertTrue(Files.exists(data.resolve("web").resolve("10.0.0.3")));
    }
}

package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One container on several networks, as Podman and Docker allow: the first network keeps the default route unless
 * the operator says otherwise ({@code attach --default-route}), detaching one network never takes another's routes,
 * and without {@code --ifname} the next free {@code ethN} is chosen (and recorded).
 */
@NetnsTest
class MultiNetworkIT {
    @RegisterExtension
    static final DaemonCli pb = new DaemonCli();

    @Test
    void aSecondNetworkLeavesTheFirstOnesDefaultRoute(Sandbox sandbox) throws Exception {
        String red = sandbox.netns("red");
        java.util.Set<String> hostSides = new java.util.TreeSet<>();
        try {
            pb.cli().run("network", "create", "mna", "--subnet", "10.71.1.0/24", "--ipv6", "fd00:71:1::/64", "--bridge", "pbmna0").ok();
            pb.cli().run("network", "create", "mnb", "--subnet", "10.71.2.0/24", "--ipv6", "fd00:71:2::/64", "--bridge", "pbmnb0").ok();
            hostSide(hostSides, pb.cli().run("attach", "mna", "--netns", red).ok());
            Cli.Run second = pb.cli().run("attach", "mnb", "--netns", red); // no --ifname: eth0 is taken, eth1 is free
            hostSide(hostSides, second);
            assertEquals(0, second.code(), second.err());
            assertTrue(second.out().contains("eth1"), second.out());
            assertTrue(pb.cli().run("-o", "json", "ls", "mnb").ok().out().contains("\"ifName\": \"eth1\""), "the chosen name is recorded");
            assertEquals("default via 10.71.1.1 dev eth0", defaults(sandbox, red, "-4"), "the first network keeps the default route");
            assertTrue(defaults(sandbox, red, "-6").startsWith("default via fd00:71:1::1 dev eth0"), defaults(sandbox, red, "-6"));
            assertTrue(sandbox.ping(red, "10.71.1.1") && sandbox.ping(red, "10.71.2.1"), "both gateways answer");

            pb.cli().run("detach", "mnb", "--netns", red).ok();
            assertEquals("default via 10.71.1.1 dev eth0", defaults(sandbox, red, "-4"), "detaching the second keeps the first's route");
            assertTrue(defaults(sandbox, red, "-6").startsWith("default via fd00:71:1::1 dev eth0"), defaults(sandbox, red, "-6"));

            // the operator makes the second network the default: it goes in front, the first one's stays behind it
            hostSide(hostSides, pb.cli().run("attach", "mnb", "--netns", red, "--default-route").ok());
            String both = defaults(sandbox, red, "-4");
            assertTrue(both.startsWith("default via 10.71.2.1 dev eth1\n") && both.contains("default via 10.71.1.1 dev eth0 metric 1"), both);
            assertTrue(sandbox.execIn(red, "ip", "route", "get", "198.51.100.9").output().contains("via 10.71.2.1"), "traffic out takes mnb");
            assertTrue(defaults(sandbox, red, "-6").startsWith("default via fd00:71:2::1 dev eth1"), defaults(sandbox, red, "-6"));
            pb.cli().run("detach", "mnb", "--netns", red).ok();
            assertEquals("default via 10.71.1.1 dev eth0 metric 1", defaults(sandbox, red, "-4"), "and detaching it brings the first one back");
            assertTrue(sandbox.execIn(red, "ip", "route", "get", "198.51.100.9").output().contains("via 10.71.1.1"));
            assertTrue(defaults(sandbox, red, "-6").startsWith("default via fd00:71:1::1 dev eth0"), defaults(sandbox, red, "-6"));

            // a name the container has already is refused before anything changes, naming it
            String links = sandbox.execIn(red, "ip", "-o", "link").output();
            Cli.Run taken = pb.cli().run("attach", "mnb", "--netns", red, "--ifname", "eth0");
            assertEquals(1, taken.code(), taken.err());
            assertTrue(taken.err().contains("has an interface \"eth0\" already") && taken.err().contains("--ifname"), taken.err());
            assertEquals(links, sandbox.execIn(red, "ip", "-o", "link").output(), "nothing changed in the container");
            assertFalse(pb.cli().run("-o", "json", "ls", "mnb").ok().out().contains("\"containerId\""), "and nothing was recorded");
        } finally {
            pb.cli().run("detach", "mnb", "--netns", red);
            pb.cli().run("detach", "mna", "--netns", red);
            pb.cli().run("network", "rm", "mnb");
            pb.cli().run("network", "rm", "mna");
        }
        String links = sandbox.run("ip", "-o", "link");
        assertTrue(hostSides.size() >= 2 && hostSides.stream().noneMatch(links::contains), "no veth left of " + hostSides + ":\n" + links);
    }

    /** The host side an attach names ("(host side vethXXXXXXXX)"): other tests share the host namespace, so look for these only. */
    private static void hostSide(java.util.Set<String> into, Cli.Run attach) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("host side (\\S+)\\)").matcher(attach.out());
        if (m.find()) {
            into.add(m.group(1));
        }
    }

    /** The container's default routes of one family, one per line, as iproute2 prints them (without its trailing blanks). */
    private static String defaults(Sandbox sandbox, String netns, String family) {
        String out = sandbox.execIn(netns, "ip", family, "route", "show", "default").output();
        return String.join("\n", out.lines().map(String::strip).toList());
    }
}

package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code patchbay doctor}: the host's checks (privileges, kernel features, backends, forwarding, another tool's FORWARD
 * DROP, host sockets a published port shadows, the state directory, the daemon), and one attachment's way out walked
 * step by step, saying where it breaks when something on the way is broken.
 */
@NetnsTest
class DoctorIT {
    record Check(String area, String check, String status, String detail) {
    }

    static List<Check> doctor(Cli cli, String... args) {
        List<String> argv = new ArrayList<>(List.of("-o", "json", "doctor"));
        argv.addAll(List.of(args));
        Cli.Run r = cli.run(argv.toArray(String[]::new));
        JsonObject report = JsonParser.parseString(r.out()).getAsJsonObject();
        List<Check> out = new ArrayList<>();
        for (JsonElement e : report.getAsJsonArray("checks")) {
            JsonObject o = e.getAsJsonObject();
            out.add(new Check(o.get("area").getAsString(), o.get("check").getAsString(), o.get("status").getAsString(), o.get("detail").getAsString()));
        }
        boolean failed = out.stream().anyMatch(c -> c.status().equals("fail"));
        assertEquals(failed ? 1 : 0, r.code(), "exit 1 exactly when a check failed: " + r.err() + r.out());
        assertEquals(!failed, report.get("ok").getAsBoolean());
        return out;
    }

    static Check check(List<Check> checks, String name) {
        return checks.stream().filter(c -> c.check().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no check " + name + " in " + checks));
    }

    static void status(List<Check> checks, String name, String status, String fragment) {
        Check c = check(checks, name);
        assertEquals(status, c.status(), c.toString());
        assertTrue(c.detail().contains(fragment), c.toString());
    }

    @Test
    void theHostAndOneAttachmentStepByStep(Sandbox sandbox) throws Exception {
        Cli cli = new Cli(Files.createTempDirectory("pb-state"), Files.createTempDirectory("pb-run"), Map.of("PATCHBAY_DAEMON", "off"));
        String red = sandbox.netns("red");
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        Process listener = null;
        try {
            List<Check> fresh = doctor(cli);
            status(fresh, "privileges", "ok", "CAP_NET_ADMIN");
            status(fresh, "kernel: bridge", "ok", "bridge");
            status(fresh, "kernel: veth", "ok", "veth");
            status(fresh, "firewall: nftables", "ok", "usable");
            status(fresh, "firewall: iptables", "ok", "usable");
            status(fresh, "daemon", "ok", "none serves this namespace");
            status(fresh, "bundles folder", "ok", "each and the folder root's and writable by root alone");

            cli.run("firewall", "backend", "nftables").ok();
            cli.run("network", "create", "doc", "--subnet", "10.70.0.0/24", "--bridge", "pbdoc0", "--masquerade", "--uplink", "up0").ok();
            cli.run("attach", "doc", "--netns", red, "--publish", "8090:80/tcp").ok();
            List<Check> walk = doctor(cli, "doc", "--netns", red);
            for (String step : List.of("namespace", "interface", "addresses", "bridge", "host side", "route to gateway", "default route",
                    "gateway answers", "forwarding", "uplink", "masquerade", "published 8090:80/tcp")) {
                assertEquals("ok", check(walk, step).status(), check(walk, step).toString());
            }
            // the walk includes explain C outside: skipped with no default route in the host, traced with one
            Check nowhere = check(walk, "outside");
            assertEquals(new Check("path to the outside (explain " + red + " outside)", "outside", "skip", nowhere.detail()), nowhere);
            sandbox.run("ip", "route", "add", "default", "via", Topo.OUTSIDE_IP);
            List<Check> out = doctor(cli, "doc", "--netns", red);
            sandbox.run("ip", "route", "del", "default");
            status(out, "nat", "ok", "masquerade");
            status(out, "leaves", "ok", "out of up0 from " + Topo.HOST_UPLINK_IP);
            status(out, "answer", "ok", Topo.OUTSIDE_IP + " answered a ping");
            status(walk, "state directory", "ok", "root's alone");
            status(walk, "host ports", "ok", "no published port shadows");
            status(walk, "subnets", "ok", "no network's subnet");

            // an address of the network's subnet on another link of the host (another tool's, an uplink's DHCP)
            sandbox.run("ip", "addr", "add", "10.70.0.200/32", "dev", "up0");
            status(doctor(cli), "subnets", "fail", "network \"doc\": subnet 10.70.0.0/24 overlaps address 10.70.0.200/32 of up0");
            sandbox.run("ip", "addr", "del", "10.70.0.200/32", "dev", "up0");

            // a host process that started listening on the published port after it was published: its traffic is taken
            listener = new ProcessBuilder("python3", "-c", "import socket,time; s=socket.socket(); s.bind(('0.0.0.0',8090)); s.listen(1); time.sleep(60)")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Thread.sleep(500);
            status(doctor(cli), "host ports", "warn", "listening on tcp 0.0.0.0:8090 (pid " + listener.pid() + " \"python3\")");
            listener.destroyForcibly();

            // where it breaks, one thing at a time
            sandbox.execIn(red, "ip", "link", "set", "eth0", "down");
            walk = doctor(cli, "doc", "--netns", red);
            status(walk, "interface", "fail", "eth0 is down");
            status(walk, "gateway answers", "skip", "an earlier step failed");
            sandbox.execIn(red, "ip", "link", "set", "eth0", "up");

            sandbox.execIn(red, "ip", "route", "del", "default");
            status(doctor(cli, "doc", "--netns", red), "default route", "warn", "none");
            sandbox.execIn(red, "ip", "route", "add", "default", "via", "10.70.0.1");

            sandbox.run("iptables", "-A", "INPUT", "-i", "pbdoc0", "-p", "icmp", "-j", "DROP");
            status(doctor(cli, "doc", "--netns", red), "gateway answers", "fail", "does not answer");
            sandbox.run("iptables", "-D", "INPUT", "-i", "pbdoc0", "-p", "icmp", "-j", "DROP");

            sandbox.run("sysctl", "-qw", "net.ipv4.ip_forward=0");
            walk = doctor(cli, "doc", "--netns", red);
            status(walk, "forwarding", "fail", "ip_forward = 0");
            status(walk, "ip_forward", "fail", "ip_forward = 0");
            sandbox.run("sysctl", "-qw", "net.ipv4.ip_forward=1");

            sandbox.run("ip", "link", "set", "up0", "down");
            status(doctor(cli, "doc", "--netns", red), "uplink", "fail", "is down");
            sandbox.run("ip", "link", "set", "up0", "up");

            // another tool's FORWARD DROP (Docker's): the nftables backend in use cannot override it
            sandbox.run("iptables", "-P", "FORWARD", "DROP");
            status(doctor(cli), "forward policy: nftables", "fail", "policy DROP");
            sandbox.run("iptables", "-P", "FORWARD", "ACCEPT");

            // someone flushed Patchbay's table: the masquerade and the port's rule are missing from the kernel
            sandbox.run("nft", "delete", "table", "inet", "patchbay");
            walk = doctor(cli, "doc", "--netns", red);
            status(walk, "masquerade", "fail", "missing from nftables");
            status(walk, "published 8090:80/tcp", "fail", "missing from nftables");

            // the bridge deleted: said so, and the steps after it are not tried
            sandbox.run("ip", "link", "del", "pbdoc0");
            walk = doctor(cli, "doc", "--netns", red);
            status(walk, "bridge", "fail", "missing");
            status(walk, "gateway answers", "skip", "an earlier step failed");

            status(doctor(cli, "doc", "--id", "nobody-here"), "attachment", "fail", "is not attached");
        } finally {
            if (listener != null) {
                listener.destroyForcibly();
            }
            sandbox.run("iptables", "-P", "FORWARD", "ACCEPT");
            sandbox.run("sysctl", "-qw", "net.ipv4.ip_forward=1");
            cli.run("detach", "doc", "--netns", red);
            cli.run("network", "rm", "doc", "--force");
            sandbox.run("ip", "link", "del", "up0");
        }
    }
}

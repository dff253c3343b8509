package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.launcher.CniShimTest.Run;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CNI acts only on what CNI made, and means what the reference plugins mean, through the real {@code cni/} executables
 * and the daemon: GC and DEL leave an attachment of {@code patchbay attach} alone (and a configuration that only shares
 * the network's name releases nothing); a MAC held on the network, or one no interface can have, is refused before
 * anything changes; a second interface of a container on the same network; CHECK against Patchbay's record; tuning
 * refusing the host's namespace and reading sysctls whole.
 */
@NetnsTest
class CniTrustIT {
    /** The reference plugins' chains, left by their last DEL: see {@link ReferenceChains}. */
    @org.junit.jupiter.api.AfterAll
    static void removeTheReferencePluginsChains() throws java.io.IOException {
        ReferenceChains.remove();
    }

    @RegisterExtension
    static final DaemonCli pb = new DaemonCli();

    static Run call(String type, String verb, String id, String netnsPath, String ifname, JsonObject config, String... kv) throws Exception {
        Map<String, String> env = CniSeedIT.env(verb, netnsPath, ifname, CniVerbsIT.CNI_PATH, pb.cli().stateDir(), pb.cli().runDir());
        env.put("CNI_CONTAINERID", id);
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return CniShimTest.shim(CniSeedIT.CNI_DIR.resolve(type), env, config.toString());
    }

    static Run call(String verb, String id, String netns, JsonObject config, String... kv) throws Exception {
        return call("bridge", verb, id, netns == null ? "" : "/run/netns/" + netns, "eth0", config, kv);
    }

    static void assertCode(int code, Run r, String... inMsg) {
        assertNotEquals(0, r.code(), r.out() + r.err());
        assertEquals(code, r.json().get("code").getAsInt(), r.out());
        for (String s : inMsg) {
            assertTrue(r.json().get("msg").getAsString().contains(s), "\"" + s + "\" in " + r.out());
        }
    }

    static String ls() {
        return pb.cli().run("ls").ok().out();
    }

    @Test
    void gcAndDelLeaveWhatTheCliAttached(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("tc1");
        String k1 = sandbox.netns("tk1");
        JsonObject conf = CniVerbsIT.bridge("1.1.0", "trn", "10.91.0.0/24", "");
        JsonObject foreign = JsonParser.parseString("{\"cniVersion\":\"1.1.0\",\"name\":\"trn\",\"type\":\"bridge\",\"bridge\":\"unrelated0\","
                + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.99.0.0/24\"},\"cni.dev/valid-attachments\":[]}").getAsJsonObject();
        try {
            CniVerbsIT.ok(call("ADD", "c1", c1, conf), "ADD c1");
            pb.cli().run("attach", "trn", "--netns", k1, "--id", "k1", "--publish", "8091:80/tcp").ok();

            Run gc = call("GC", "", null, foreign);
            assertCode(7, gc, "10.91.0.0/24", "10.99.0.0/24");
            Run del = CniVerbsIT.ok(call("DEL", "k1", k1, foreign), "DEL with a configuration that only shares the name");
            assertTrue(del.err().contains("nothing deleted"), del.err());
            CniVerbsIT.ok(call("DEL", "k1", k1, conf), "DEL of the CLI's container");
            CniVerbsIT.ok(call("portmap", "DEL", "k1", "/run/netns/" + k1, "eth0",
                    CniVerbsIT.plugin("1.1.0", "trn", "portmap", "", null)), "portmap DEL of the CLI's container");
            assertTrue(ls().contains("8091:80/tcp"), "k1 and its port stay: " + ls());
            assertTrue(sandbox.execIn(k1, "ip", "link", "show", "eth0").code() == 0, "k1 keeps its interface");

            JsonObject valid = conf.deepCopy();
            valid.add("cni.dev/valid-attachments", JsonParser.parseString("[]"));
            CniVerbsIT.ok(call("GC", "", null, valid), "GC with no valid attachment");
            String after = ls();
            assertFalse(after.contains("c1"), "CNI's own container is released: " + after);
            assertTrue(after.contains("k1") && after.contains("8091:80/tcp"), "the CLI's stays, port included: " + after);
            assertTrue(sandbox.ping(k1, "10.91.0.1"), "k1 still works");
        } finally {
            pb.cli().run("network", "rm", "--force", "trn");
        }
    }

    @Test
    void aMacHeldOnTheNetworkOrNoInterfacesIsRefusedUpFront(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("mc1");
        String c2 = sandbox.netns("mc2");
        String k1 = sandbox.netns("mk1");
        JsonObject conf = CniVerbsIT.bridge("1.0.0", "mac", "10.92.0.0/24", "");
        String held = "02:00:00:00:92:11";
        try {
            CniVerbsIT.ok(call("ADD", "c1", c1, conf, "CNI_ARGS", "IgnoreUnknown=1;MAC=" + held), "ADD c1 with a MAC");
            assertCode(7, call("ADD", "c2", c2, conf, "CNI_ARGS", "IgnoreUnknown=1;MAC=" + held.toUpperCase()), "CNI_ARGS MAC", held, "c1");
            for (String bad : new String[] {"ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01", "00:00:00:00:00:00"}) {
                assertCode(7, call("ADD", "c2", c2, conf, "CNI_ARGS", "MAC=" + bad), "CNI_ARGS MAC", bad);
            }
            JsonObject rc = conf.deepCopy();
            rc.add("runtimeConfig", JsonParser.parseString("{\"mac\":\"" + held + "\"}"));
            assertCode(7, call("ADD", "c2", c2, rc), "runtimeConfig.mac", held);
            assertNotEquals(0, sandbox.execIn(c2, "ip", "link", "show", "eth0").code(), "nothing was made for c2");
            assertFalse(ls().contains("c2"));

            Cli.Run cli = pb.cli().run("attach", "mac", "--netns", k1, "--id", "k1", "--mac", held);
            assertEquals(2, cli.code(), cli.err() + cli.out());
            assertTrue(cli.err().contains("--mac") && cli.err().contains(held), cli.err());
            Cli.Run bcast = pb.cli().run("attach", "mac", "--netns", k1, "--id", "k1", "--mac", "ff:ff:ff:ff:ff:ff");
            assertEquals(2, bcast.code(), bcast.err() + bcast.out());
            assertTrue(bcast.err().contains("--mac") && bcast.err().contains("broadcast"), bcast.err());
            assertNotEquals(0, sandbox.execIn(k1, "ip", "link", "show", "eth0").code(), "nothing was made for k1");

            JsonObject r2 = CniVerbsIT.ok(call("ADD", "c2", c2, conf), "ADD c2 with a MAC of its own").json();
            assertTrue(sandbox.ping(c2, "10.92.0.1") && sandbox.ping(c1, "10.92.0.1"), "both work");

            // tuning's mac too: refused when held or no interface's, recorded when set
            String own = CniSeedIT.mac(sandbox, c2, "eth0");
            for (String bad : new String[] {held, "01:00:5e:00:00:01"}) {
                assertCode(7, call("tuning", "ADD", "c2", "/run/netns/" + c2, "eth0",
                        CniVerbsIT.plugin("1.0.0", "mac", "tuning", ",\"mac\":\"" + bad + "\"", r2)), "mac", bad);
            }
            assertEquals(own, CniSeedIT.mac(sandbox, c2, "eth0"), "c2 keeps its MAC");
            String tuned = "02:00:00:00:92:22";
            CniVerbsIT.ok(call("tuning", "ADD", "c2", "/run/netns/" + c2, "eth0",
                    CniVerbsIT.plugin("1.0.0", "mac", "tuning", ",\"mac\":\"" + tuned + "\"", r2)), "tuning ADD with a free MAC");
            assertCode(7, call("ADD", "k1", k1, conf, "CNI_ARGS", "MAC=" + tuned), "CNI_ARGS MAC", tuned, "c2");
        } finally {
            pb.cli().run("network", "rm", "--force", "mac");
        }
    }

    @Test
    void aSecondInterfaceOfTheContainerOnTheSameNetwork(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("sc1");
        JsonObject conf = CniVerbsIT.bridge("1.0.0", "sec", "10.93.0.0/24", "");
        try {
            JsonObject r0 = CniVerbsIT.ok(call("ADD", "c1", c1, conf), "ADD eth0").json();
            JsonObject r1 = CniVerbsIT.ok(call("bridge", "ADD", "c1", "/run/netns/" + c1, "eth1", conf), "ADD eth1").json();
            String a0 = r0.getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString();
            String a1 = r1.getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString();
            assertNotEquals(a0, a1);
            assertEquals(java.util.List.of(a0), CniSeedIT.addresses(sandbox, c1, "eth0"));
            assertEquals(java.util.List.of(a1), CniSeedIT.addresses(sandbox, c1, "eth1"));
            assertCode(101, call("ADD", "c1", c1, conf), "already attached");
            CniVerbsIT.ok(call("bridge", "CHECK", "c1", "/run/netns/" + c1, "eth1", CniVerbsIT.with(conf, "prevResult", r1)), "CHECK eth1");

            CniVerbsIT.ok(call("DEL", "c1", c1, conf), "DEL eth0");
            assertNotEquals(0, sandbox.execIn(c1, "ip", "link", "show", "eth0").code(), "eth0 is gone");
            assertEquals(java.util.List.of(a1), CniSeedIT.addresses(sandbox, c1, "eth1"), "eth1 is left as it was");
            assertTrue(sandbox.ping(c1, "10.93.0.1"), "through eth1");
            CniVerbsIT.ok(call("bridge", "DEL", "c1", "/run/netns/" + c1, "eth1", conf), "DEL eth1");
            assertNotEquals(0, sandbox.execIn(c1, "ip", "link", "show", "eth1").code(), "eth1 is gone");
            assertFalse(ls().contains("c1"), ls());
        } finally {
            pb.cli().run("network", "rm", "--force", "sec");
        }
    }

    @Test
    void checkComparesTheKernelWithTheRecordNotOnlyPrevResult(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("kc1");
        JsonObject conf = CniVerbsIT.bridge("1.0.0", "krn", "10.94.1.0/24", "");
        try {
            JsonObject r = CniVerbsIT.ok(call("ADD", "c1", c1, conf), "ADD").json();
            String address = r.getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString();
            sandbox.execIn(c1, "ip", "addr", "del", address, "dev", "eth0");
            assertCode(7, call("CHECK", "c1", c1, CniVerbsIT.with(conf, "prevResult", new JsonObject())), "prevResult.interfaces", "eth0");
            JsonObject other = r.deepCopy();
            other.getAsJsonArray("interfaces").forEach(i -> {
                if (i.getAsJsonObject().has("sandbox")) {
                    i.getAsJsonObject().addProperty("name", "eth7");
                }
            });
            assertCode(7, call("CHECK", "c1", c1, CniVerbsIT.with(conf, "prevResult", other)), "prevResult.interfaces");
            JsonObject noIps = r.deepCopy();
            noIps.remove("ips");
            assertCode(101, call("CHECK", "c1", c1, CniVerbsIT.with(conf, "prevResult", noIps)), "address " + address + " is not on eth0");
            CniVerbsIT.ok(call("DEL", "c1", c1, conf), "DEL");
        } finally {
            pb.cli().run("network", "rm", "--force", "krn");
        }
    }

    @Test
    void tuningRefusesTheHostNamespace(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("tu1");
        JsonObject conf = CniVerbsIT.bridge("1.0.0", "tun", "10.94.2.0/24", "");
        String host = "/proc/" + ProcessHandle.current().pid() + "/ns/net";
        try {
            JsonObject r = CniVerbsIT.ok(call("ADD", "c1", c1, conf), "ADD").json();
            assertEquals("1", Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip());
            String bridgeMac = CniSeedIT.mac(sandbox, null, "tun0");
            JsonObject hostTuning = CniVerbsIT.plugin("1.0.0", "tun", "tuning", ",\"mac\":\"02:00:00:00:94:22\",\"sysctl\":{\"net.ipv4.ip_forward\":\"0\"}", r);
            assertCode(102, call("tuning", "ADD", "c1", host, "tun0", hostTuning), "CNI_NETNS", "host namespace");
            assertEquals("1", Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip(), "the host's ip_forward is untouched");
            assertEquals(bridgeMac, CniSeedIT.mac(sandbox, null, "tun0"), "the bridge's MAC is untouched");
            CniVerbsIT.ok(call("DEL", "c1", c1, conf), "DEL");
        } finally {
            pb.cli().run("network", "rm", "--force", "tun");
        }
    }

    @Test
    void tuningCheckReadsSysctlsWhole(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("tu2");
        JsonObject conf = CniVerbsIT.bridge("1.0.0", "tuw", "10.94.3.0/24", "");
        try {
            JsonObject r = CniVerbsIT.ok(call("ADD", "c1", c1, conf), "ADD").json();
            JsonObject tuning = CniVerbsIT.plugin("1.0.0", "tun", "tuning", ",\"sysctl\":{\"net.core.somaxconn\":\"512\"}", r);
            CniVerbsIT.ok(call("tuning", "ADD", "c1", "/run/netns/" + c1, "eth0", tuning), "tuning ADD");
            assertEquals("512", sandbox.execIn(c1, "cat", "/proc/sys/net/core/somaxconn").output().strip());
            CniVerbsIT.ok(call("tuning", "CHECK", "c1", "/run/netns/" + c1, "eth0", tuning), "tuning CHECK reads 512 whole");
            CniVerbsIT.ok(call("DEL", "c1", c1, conf), "DEL");
        } finally {
            pb.cli().run("network", "rm", "--force", "tuw");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"daemon", "cold"})
    void aFallThroughPluginDiesWithItsCaller(String mode, Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("ft" + mode.charAt(0));
        Path dir = Files.createTempDirectory("pb-hang");
        Path pids = dir.resolve("pids");
        Path plugin = dir.resolve("tuning");
        Files.writeString(plugin, "#!/bin/sh\nsleep 300 &\necho $$ $! > " + pids + ".tmp\nmv " + pids + ".tmp " + pids + "\nwait\n");
        assertTrue(plugin.toFile().setExecutable(true));
        Map<String, String> env = CniSeedIT.env("ADD", "/run/netns/" + c1, "eth0", CniSeedIT.CNI_DIR + ":" + dir, pb.cli().stateDir(), pb.cli().runDir());
        if (mode.equals("cold")) {
            env.put("PATCHBAY_DAEMON", "off");
            // the run that makes the class data archive keeps bin/patchbay's shell between the shim and the JVM: a killed
            // shim leaves that JVM running (bin/patchbay's matter); every other cold run execs the JVM in the shim's place
            env.put("PATCHBAY_CDS", "off");
        }
        ProcessBuilder b = new ProcessBuilder(CniSeedIT.CNI_DIR.resolve("tuning").toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        b.environment().clear();
        b.environment().put("PATCHBAY_DAEMON_AUTOSTART", "off");
        b.environment().putAll(env);
        Process shim = b.start();
        long[] started = new long[0];
        try {
            try (var in = shim.getOutputStream()) {
                in.write("{\"cniVersion\":\"1.0.0\",\"name\":\"ftn\",\"type\":\"tuning\",\"txQLen\":100}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            long until = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(pids) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(pids), "the reference-named plugin on CNI_PATH ran");
            started = java.util.Arrays.stream(Files.readString(pids).strip().split(" ")).mapToLong(Long::parseLong).toArray();
            shim.destroyForcibly().waitFor();
            // cold: the kernel kills the plugin with the launcher it replaced (its own children are beyond reach);
            // daemon: the daemon sees its client gone and kills the plugin and what it started
            long[] mustDie = mode.equals("cold") ? new long[] {started[0]} : started;
            until = System.nanoTime() + 20_000_000_000L;
            while (java.util.Arrays.stream(mustDie).anyMatch(CniTrustIT::alive) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            for (long pid : mustDie) {
                assertFalse(alive(pid), "pid " + pid + " outlived the call it ran for (" + mode + ")");
            }
        } finally {
            shim.destroyForcibly();
            for (long pid : started) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            CniSeedIT.delete(dir);
        }
    }

    /** Running, not a zombie waiting for its parent to reap it. */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void ingressPolicySameBridgeIsolatesAsTheReferenceDoes(Sandbox sandbox) throws Exception {
        String a1 = sandbox.netns("isa");
        String b1 = sandbox.netns("isb");
        JsonObject ba = CniVerbsIT.bridge("0.4.0", "isa", "10.94.4.0/24", "");
        JsonObject bb = CniVerbsIT.bridge("0.4.0", "isb", "10.94.5.0/24", "");
        try {
            JsonObject ra = CniVerbsIT.ok(call("ADD", "a1", a1, ba), "bridge ADD a").json();
            JsonObject rb = CniVerbsIT.ok(call("ADD", "b1", b1, bb), "bridge ADD b").json();
            String addrA = ra.getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString().split("/")[0];
            String addrB = rb.getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString().split("/")[0];
            assertTrue(sandbox.ping(b1, addrA), "two networks reach each other through the host");
            // what podman network create --opt isolate=true writes
            JsonObject fa = CniVerbsIT.plugin("0.4.0", "isa", "firewall", ",\"backend\":\"\",\"ingressPolicy\":\"same-bridge\"", ra);
            JsonObject fb = CniVerbsIT.plugin("0.4.0", "isb", "firewall", ",\"backend\":\"\",\"ingressPolicy\":\"same-bridge\"", rb);
            Run r = CniVerbsIT.ok(call("firewall", "ADD", "a1", "/run/netns/" + a1, "eth0", fa), "firewall ADD a");
            CniVerbsIT.ok(call("firewall", "ADD", "b1", "/run/netns/" + b1, "eth0", fb), "firewall ADD b");
            assertFalse(sandbox.ping(b1, addrA), "isolated: b cannot reach a");
            assertFalse(sandbox.ping(a1, addrB), "isolated: a cannot reach b");
            assertTrue(r.err().contains("ingressPolicy") && r.err().contains("running /usr/lib/cni/firewall"), "said and done by the reference: " + r.err());
            assertTrue(sandbox.ping(a1, "10.94.4.1") && sandbox.ping(b1, "10.94.5.1"), "each still reaches its gateway");
            CniVerbsIT.ok(call("firewall", "DEL", "a1", "/run/netns/" + a1, "eth0", fa), "firewall DEL a");
            CniVerbsIT.ok(call("firewall", "DEL", "b1", "/run/netns/" + b1, "eth0", fb), "firewall DEL b");
            CniVerbsIT.ok(call("DEL", "a1", a1, ba), "bridge DEL a");
            CniVerbsIT.ok(call("DEL", "b1", b1, bb), "bridge DEL b");
        } finally {
            pb.cli().run("network", "rm", "--force", "isa");
            pb.cli().run("network", "rm", "--force", "isb");
        }
    }
}

package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway's MAC (the bridge's) does not move while containers come and go (issue 26): a bridge whose MAC the kernel
 * chose takes its lowest port's, so every container's neighbour entry for its gateway went stale when one joined or
 * left. The real daemon and kernel in throwaway namespaces; MACs read with {@code ip -j}.
 */
@NetnsTest
class BridgeMacIT {
    @RegisterExtension
    static final DaemonCli pb = new DaemonCli();

    @Test
    void theGatewayKeepsItsMacWhileContainersComeAndGo(Sandbox sandbox) throws Exception {
        Cli cli = pb.cli();
        String host = sandbox.netns("host");
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        try {
            cli.run("-n", host, "network", "create", "mac", "--subnet", "10.73.0.0/24", "--bridge", "pbmac0").ok();
            String made = mac(sandbox, host, "pbmac0");
            cli.run("-n", host, "attach", "mac", "--netns", c1).ok();
            assertEquals(made, mac(sandbox, host, "pbmac0"), "after the first container joined");
            cli.run("-n", host, "attach", "mac", "--netns", c2).ok();
            assertEquals(made, mac(sandbox, host, "pbmac0"), "after the second");
            cli.run("-n", host, "detach", "mac", "--netns", c1).ok();
            assertEquals(made, mac(sandbox, host, "pbmac0"), "after one left");
            sandbox.run("ip", "-n", c2, "neigh", "flush", "all");
            sandbox.run("ip", "netns", "exec", c2, "ping", "-c1", "-W2", "10.73.0.1");
            assertEquals(made, JsonParser.parseString(sandbox.run("ip", "-n", c2, "-j", "neigh", "show", "10.73.0.1")).getAsJsonArray()
                    .get(0).getAsJsonObject().get("lladdr").getAsString(), "what the container learns for its gateway");
        } finally {
            cli.run("-n", host, "network", "rm", "--force", "mac");
        }
    }

    private static String mac(Sandbox sandbox, String ns, String link) {
        return JsonParser.parseString(sandbox.run("ip", "-n", ns, "-j", "link", "show", link)).getAsJsonArray().get(0)
                .getAsJsonObject().get("address").getAsString();
    }
}

package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.NetworkConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Docker's verbs over the fake host, as the launcher mounts them: {@code network connect}/{@code disconnect} are attach
 * and detach (their options, their JSON); {@code network prune} removes only networks without attachment, only with
 * --force; {@code network ls --filter label=...} selects by label.
 */
class DockerVerbsTest {
    @TempDir
    Path dir;
    FakeHost h;
    Path c1;

    @BeforeEach
    void host() {
        h = new FakeHost(dir);
        h.create("n", "10.9.0.0/24");
        h.ipam.prefixes.put("m", "10.8.0.");
        h.networks().create(h.host(), new NetworkConfig("m", "bridge", null, IpPrefix.parse("10.8.0.0/24"), NetworkConfig.firstHost(
                IpPrefix.parse("10.8.0.0/24")), null, null, Map.of()), true, null, Map.of("team", "web"));
        c1 = h.namespace("c1").path();
    }

    CreateCommandTest.Run run(String... args) {
        NetworkCommand network = new NetworkCommand();
        network.manager = h.m;
        CommandLine root = new CommandLine(new CreateCommandTest.Root());
        root.addSubcommand("network", new CommandLine(network));
        root.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(e.getMessage());
            return e instanceof dev.patchbay.core.errors.PatchbayException p ? p.exitCode() : 4;
        });
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        root.setOut(new java.io.PrintWriter(out));
        root.setErr(new java.io.PrintWriter(err));
        List<String> all = new java.util.ArrayList<>(List.of("--namespace", h.host().path().toString(), "--state-dir", h.state().toString(),
                "--output", "json", "network"));
        all.addAll(List.of(args));
        int code = root.execute(all.toArray(String[]::new));
        return new CreateCommandTest.Run(code, out.toString(), err.toString());
    }

    @Test
    void connectAndDisconnectAreAttachAndDetachWithTheirOptionsAndJson() {
        CreateCommandTest.Run c = run("connect", "n", "--path", c1.toString(), "--id", "web1", "--ifname", "eth3", "-p", "8080:80");
        assertEquals(0, c.code(), c.err());
        JsonObject a = c.json();
        assertEquals("web1", a.get("containerId").getAsString());
        assertEquals("eth3", a.get("ifName").getAsString());
        assertEquals(1, a.getAsJsonArray("ports").size());
        assertTrue(h.attachments().find("n", "web1").isPresent(), "recorded as attach records it");
        CreateCommandTest.Run twice = run("connect", "n", "c9", "--path", c1.toString());
        assertEquals(2, twice.code(), twice.err());
        assertTrue(twice.err().contains("c9") && twice.err().contains("named twice"), twice.err());

        CreateCommandTest.Run d = run("disconnect", "n", "--id", "web1", "--path", c1.toString());
        assertEquals(0, d.code(), d.err());
        assertEquals(JsonParser.parseString("{\"network\":\"n\",\"detached\":\"web1\"}"), JsonParser.parseString(d.out()), "members in any order");
        assertTrue(h.attachments().find("n", "web1").isEmpty());
    }

    @Test
    void pruneRemovesOnlyNetworksWithoutAttachmentAndOnlyWithForce() {
        run("connect", "n", "--path", c1.toString()).code();
        CreateCommandTest.Run asked = run("prune");
        assertEquals(1, asked.code(), asked.err());
        assertEquals("[\"m\"]", asked.json().get("wouldRemove").toString());
        assertTrue(h.networks().find("m").isPresent(), "nothing removed without --force");

        assertEquals("[]", run("prune", "-f", "--filter", "label=team=db").json().get("removed").toString(), "the filter selects none");
        CreateCommandTest.Run pruned = run("prune", "--force");
        assertEquals(0, pruned.code(), pruned.err());
        assertEquals("[\"m\"]", pruned.json().get("removed").toString());
        assertTrue(h.networks().find("m").isEmpty() && h.networks().find("n").isPresent(), "n has a container: kept");
        assertTrue(h.kernel(h.host()).link("pb-m").isEmpty(), "m's bridge is gone");
    }

    @Test
    void lsFiltersByLabelAndShowsThem() {
        CreateCommandTest.Run ls = run("ls", "--filter", "label=team");
        assertEquals(0, ls.code(), ls.err());
        com.google.gson.JsonArray all = JsonParser.parseString(ls.out()).getAsJsonArray();
        assertEquals(1, all.size());
        assertEquals("m", all.get(0).getAsJsonObject().get("name").getAsString());
        assertEquals("{\"team\":\"web\"}", all.get(0).getAsJsonObject().get("labels").toString());
        assertEquals(0, JsonParser.parseString(run("ls", "--filter", "label=team=db").out()).getAsJsonArray().size());
        assertEquals("{\"team\":\"web\"}", run("inspect", "m").json().get("labels").toString());
        CreateCommandTest.Run bad = run("ls", "--filter", "driver=bridge");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("filter") && bad.err().contains("driver=bridge"), bad.err());
    }
}

package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.harness.Cri;
import java.io.IOException;
import java.util.List;

/** kubelet's CRI calls for {@link CriIT}, as JSON requests to {@link Cri}'s client; a failed call fails the test. */
final class CriPods {
    private final Cri cri;

    CriPods(Cri cri) {
        this.cri = cri;
    }

    void removePod(String pod) throws IOException {
        JsonObject stop = req("StopPodSandbox");
        stop.addProperty("podSandboxId", pod);
        ok(stop);
        JsonObject remove = req("RemovePodSandbox");
        remove.addProperty("podSandboxId", pod);
        ok(remove);
    }

    static JsonObject podConfig(String name, List<JsonArray> ports) {
        JsonObject config = new JsonObject();
        config.addProperty("name", name);
        config.addProperty("uid", name + "-uid");
        config.addProperty("namespace", "default");
        config.addProperty("cgroupParent", Cri.CGROUP_PARENT);
        if (!ports.isEmpty()) {
            config.add("portMappings", ports.get(0));
        }
        return config;
    }

    static JsonObject port(String protocol, int containerPort, int hostPort) {
        return port(protocol, containerPort, hostPort, null);
    }

    /** A port mapping bound to {@code hostIp} (null: every host address, as an empty host_ip). */
    static JsonObject port(String protocol, int containerPort, int hostPort, String hostIp) {
        JsonObject p = new JsonObject();
        if (hostIp != null) {
            p.addProperty("hostIp", hostIp);
        }
        p.addProperty("protocol", protocol);
        p.addProperty("containerPort", containerPort);
        p.addProperty("hostPort", hostPort);
        return p;
    }

    String podIp(String pod) throws IOException {
        JsonObject status = req("PodSandboxStatus");
        status.addProperty("podSandboxId", pod);
        JsonObject r = ok(status);
        assertEquals("SANDBOX_READY", r.get("state").getAsString(), "pod " + pod + ": " + r);
        String ip = r.get("ip").getAsString();
        assertTrue(ip.matches("\\d+\\.\\d+\\.\\d+\\.\\d+"), "PodSandboxStatus of " + pod + ": " + r);
        return ip;
    }

    void awaitNetworkReady(boolean ready) throws Exception {
        JsonObject last = null;
        for (int i = 0; i < 100; i++) {
            last = ok(req("Status"));
            for (JsonElement c : last.getAsJsonArray("conditions")) {
                JsonObject o = c.getAsJsonObject();
                if (o.get("type").getAsString().equals("NetworkReady") && o.get("status").getAsBoolean() == ready) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        fail("NetworkReady did not become " + ready + ": " + last);
    }

    static JsonObject req(String method) {
        JsonObject o = new JsonObject();
        o.addProperty("method", method);
        return o;
    }

    JsonObject ok(JsonObject request) throws IOException {
        JsonObject r = JsonParser.parseString(cri.call(request.toString())).getAsJsonObject();
        if (!r.get("ok").getAsBoolean()) {
            fail(request.get("method").getAsString() + " failed: " + r + " (request " + request + ")");
        }
        return r;
    }

    /** CreateContainer + StartContainer: a container of {@link Cri#IMAGE} running {@code command} in the pod. */
    String startContainer(String pod, JsonObject sandboxConfig, String name, List<String> command) throws IOException {
        JsonObject create = req("CreateContainer");
        create.addProperty("podSandboxId", pod);
        JsonObject container = new JsonObject();
        container.addProperty("name", name);
        container.addProperty("image", Cri.IMAGE);
        JsonArray cmd = new JsonArray();
        command.forEach(cmd::add);
        container.add("command", cmd);
        create.add("container", container);
        create.add("config", sandboxConfig);
        String id = ok(create).get("containerId").getAsString();
        JsonObject start = req("StartContainer");
        start.addProperty("containerId", id);
        ok(start);
        return id;
    }
}

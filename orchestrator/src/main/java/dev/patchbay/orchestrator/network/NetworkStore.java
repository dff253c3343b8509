package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.Json;
import dev.patchbay.orchestrator.state.StateLog;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.network.NetworkConfig;
import java.net.InetAddress;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Networks and attachments in a state directory:
 * <pre>
 * networks/NAME.json                  one NetworkRecord
 * attachments/NAME.log               the network's attachments by container id (a StateLog)
 * locks/NAME.lock, locks/.networks.lock
 * journal/OP-ID.json                  operations in flight (see Journal)
 * ipam/                               host-local layout, owned by the IPAM service
 * </pre>
 */
final class NetworkStore {
    private final Path root;

    NetworkStore(Path stateDir) {
        this.root = stateDir;
    }

    Path root() {
        return root;
    }

    Optional<NetworkRecord> network(String name) {
        return StateFiles.read(root.resolve("networks").resolve(name + ".json"), JsonObject.class).map(NetworkStore::record);
    }

    List<NetworkRecord> networks() {
        List<NetworkRecord> out = new ArrayList<>();
        for (Path p : list(root.resolve("networks"))) {
            StateFiles.read(p, JsonObject.class).map(NetworkStore::record).ifPresent(out::add);
        }
        out.sort(Comparator.comparing(NetworkRecord::name));
        return out;
    }

    private static NetworkRecord record(JsonObject json) {
        JsonObject config = json.getAsJsonObject("config");
        if (config != null) {
            json.add("config", upgrade(config));
        }
        return Json.compact().fromJson(json, NetworkRecord.class);
    }

    /** A network's configuration from its JSON, as this release writes it or as earlier ones did. */
    static NetworkConfig config(String json) {
        return Json.compact().fromJson(upgrade(JsonParser.parseString(json).getAsJsonObject()), NetworkConfig.class);
    }

    /**
     * Earlier releases kept the bridge driver's settings as fields of every network ({@code bridge},
     * {@code masquerade}, {@code uplink}, {@code isolate}, {@code mtu}) and had no chain: they become the
     * options of the bridge and firewall plugins, chained as the bridge driver chains them.
     */
    private static JsonObject upgrade(JsonObject c) {
        if (c.has("options") || !c.has("bridge")) {
            return c;
        }
        JsonObject options = new JsonObject();
        for (String key : List.of("bridge", "masquerade", "uplink", "isolate", "mtu")) {
            JsonElement v = c.remove(key);
            boolean set = v != null && !v.isJsonNull() && !(v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean() && !v.getAsBoolean());
            if (set) {
                options.addProperty(key, v.getAsString());
            }
        }
        c.add("options", options);
        JsonArray plugins = new JsonArray();
        plugins.add("firewall");
        plugins.add("portmap");
        c.add("plugins", plugins);
        return c;
    }

    void save(NetworkRecord record) {
        StateFiles.write(root.resolve("networks").resolve(record.name() + ".json"), record);
    }

    void deleteNetwork(String name) {
        StateFiles.delete(root.resolve("networks").resolve(name + ".json"));
        StateFiles.delete(root.resolve("locks").resolve(name + ".lock"));
        StateLog log = attachmentLog(name).refresh();
        log.deleteIfEmpty(); // else attachments left by a forced removal stay visible to gc
        StateLog.unshare(log.file());
    }

    /** Removes a directory and what it holds (the network's IPAM data once it holds no address). */
    void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // nothing to remove
        } catch (IOException e) {
            throw new dev.patchbay.core.errors.BackendException("failed to remove \"" + dir + "\": " + e.getMessage(), e);
        }
    }

    Optional<Attachment> attachment(String network, String containerId) {
        String json = attachmentLog(network).refresh().get(containerId);
        return Optional.ofNullable(json == null ? null : Json.compact().fromJson(json, Attachment.class));
    }

    /** The network's attachments, by container id. Needs no lock: a log is read up to its last complete line. */
    List<Attachment> attachments(String network) {
        List<Attachment> out = new ArrayList<>();
        attachmentLog(network).refresh().all().values().forEach(json -> out.add(Json.compact().fromJson(json, Attachment.class)));
        return out;
    }

    /** Whether an attachment record of the network names {@code ip}: a scan of the log's text, no parsing. */
    boolean recorded(String network, InetAddress ip) {
        String needle = "\"" + IpAddresses.format(ip) + "/";
        for (String json : attachmentLog(network).refresh().all().values()) {
            if (json.contains(needle)) {
                return true;
            }
        }
        return false;
    }

    /** Records (or replaces) an attachment; the caller holds the network's lock. */
    void save(Attachment a) {
        attachmentLog(a.network()).put(a.containerId(), Json.compact().toJson(a));
    }

    /** The caller holds the network's lock. */
    void deleteAttachment(String network, String containerId) {
        attachmentLog(network).remove(containerId);
    }

    /** Serialises creation and removal of networks (names and subnets must stay unique). */
    <T> T lockNetworks(Supplier<T> action) {
        return StateFiles.locked(root.resolve("locks").resolve(".networks.lock"), action);
    }

    /** Serialises changes to one network: attach, detach, publish, remove. */
    <T> T lockNetwork(String name, Supplier<T> action) {
        return StateFiles.locked(root.resolve("locks").resolve(name + ".lock"), action);
    }

    /** This process's view of the network's attachment log; callers refresh it (writers under the network's lock). */
    private StateLog attachmentLog(String network) {
        return StateLog.shared(root.resolve("attachments").resolve(network + ".log"), Map.of("network", network));
    }

    private static List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            ds.forEach(out::add);
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new dev.patchbay.core.errors.BackendException("failed to list state directory \"" + dir + "\": " + e.getMessage(), e);
        }
        return out;
    }
}

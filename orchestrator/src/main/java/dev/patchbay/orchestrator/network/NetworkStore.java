package dev.patchbay.orchestrator.network;

import dev.patchbay.state.Json;
import dev.patchbay.state.Modes;
import dev.patchbay.state.StateLog;
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
 * networks/NAME.json                  one NetworkRecord: what the operator asked for, written crash-safely
 * attachments/NAME.log               the network's attachments by container id (a StateLog)
 * locks/NAME.lock, locks/.networks.lock
 * journal/NAME.log                    the network's operations in flight (see Journal)
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

    /**
     * The network's record; empty if there is none. A record that cannot be read throws {@link DamagedNetworkException}
     * (naming the file and what is wrong): it concerns this network only.
     */
    Optional<NetworkRecord> network(String name) {
        Path file = networkFile(name);
        try {
            return StateFiles.readObject(file).map(json -> record(name, file, json));
        } catch (StateFiles.Unreadable e) {
            throw new DamagedNetworkException(name, file, e.problem());
        }
    }

    /** Every network whose record can be read, by name; see {@link #damaged()} for the others. */
    List<NetworkRecord> networks() {
        List<NetworkRecord> out = new ArrayList<>();
        for (Path p : list(root.resolve("networks"))) {
            try {
                network(nameOf(p)).ifPresent(out::add);
            } catch (DamagedNetworkException e) {
                // listed by damaged()
            }
        }
        out.sort(Comparator.comparing(NetworkRecord::name));
        return out;
    }

    /** The networks whose record cannot be read, by name, each saying what is wrong. */
    List<DamagedNetworkException> damaged() {
        List<DamagedNetworkException> out = new ArrayList<>();
        for (Path p : list(root.resolve("networks"))) {
            try {
                network(nameOf(p));
            } catch (DamagedNetworkException e) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparing(DamagedNetworkException::network));
        return out;
    }

    Path networkFile(String name) {
        return root.resolve("networks").resolve(name + ".json");
    }

    private static String nameOf(Path file) {
        String n = file.getFileName().toString();
        return n.substring(0, n.length() - ".json".length());
    }

    private static NetworkRecord record(String name, Path file, JsonObject json) {
        NetworkRecord rec;
        try {
            JsonObject config = json.getAsJsonObject("config");
            if (config != null) {
                json.add("config", upgrade(config));
            }
            rec = Json.compact().fromJson(json, NetworkRecord.class);
        } catch (RuntimeException e) {
            throw new DamagedNetworkException(name, file, "does not hold a valid network (" + StateFiles.words(e) + ")");
        }
        if (rec == null || rec.config() == null || rec.hostNetns() == null) {
            throw new DamagedNetworkException(name, file, "does not hold a network (no " + (rec == null || rec.config() == null ? "config" : "hostNetns") + ")");
        }
        if (!rec.name().equals(name)) {
            throw new DamagedNetworkException(name, file, "holds network \"" + rec.name() + "\", not \"" + name + "\"");
        }
        return rec;
    }

    /** A network's configuration from its JSON, as this release writes it or as earlier ones did. */
    static NetworkConfig config(String json) {
        return Json.compact().fromJson(upgrade(JsonParser.parseString(json).getAsJsonObject()), NetworkConfig.class);
    }

    /** The members of a network's configuration as this release writes it. */
    private static final java.util.Set<String> MEMBERS = java.util.Arrays.stream(NetworkConfig.class.getRecordComponents())
            .map(java.lang.reflect.RecordComponent::getName).collect(java.util.stream.Collectors.toUnmodifiableSet());

    /**
     * Earlier releases kept their one driver's settings as members of every network and had no options and no chain:
     * each member this release does not know becomes an option when set (not null, not false), and the chain is the one
     * that driver had, firewall then portmap.
     */
    private static JsonObject upgrade(JsonObject c) {
        if (c.has("options") || c.keySet().stream().allMatch(MEMBERS::contains)) {
            return c;
        }
        JsonObject options = new JsonObject();
        for (String key : List.copyOf(c.keySet())) {
            if (MEMBERS.contains(key)) {
                continue;
            }
            JsonElement v = c.remove(key);
            boolean set = v != null && !v.isJsonNull() && !(v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean() && !v.getAsBoolean());
            if (set) {
                options.addProperty(key, v.getAsString());
            }
        }
        c.add("options", options);
        if (!c.has("plugins")) {
            JsonArray plugins = new JsonArray();
            plugins.add("firewall");
            plugins.add("portmap");
            c.add("plugins", plugins);
        }
        return c;
    }

    /** Writes the record crash-safely: it is what the operator asked for, and must survive a power loss. */
    void save(NetworkRecord record) {
        StateFiles.write(networkFile(record.name()), record);
    }

    void deleteNetwork(String name) {
        StateFiles.delete(root.resolve("networks").resolve(name + ".json"));
        StateFiles.delete(root.resolve("locks").resolve(name + ".lock"));
        StateLog log = attachmentLog(name).refreshReadable();
        log.deleteIfEmpty(); // else attachments left by a forced removal stay visible to gc (and a damaged log stays)
        StateLog.unshare(log.file());
    }

    /** Forgets every attachment of a network whose namespace is gone: the log goes, damaged or not. */
    void deleteAttachments(String name) {
        StateLog log = attachmentLog(name);
        StateFiles.delete(log.file());
        StateLog.unshare(log.file());
    }

    /** Keeps a damaged record beside it ({@code NAME.json.damaged-TIME}) before it is rebuilt; returns the copy. */
    Path keepDamaged(String name) {
        return keep(networkFile(name));
    }

    private static Path keep(Path file) {
        Path copy = file.resolveSibling(file.getFileName() + ".damaged-"
                + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now()));
        try {
            Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Modes.narrow(copy);
        } catch (IOException e) {
            throw new dev.patchbay.core.errors.BackendException("failed to keep \"" + file + "\": " + StateFiles.words(e), e);
        }
        return copy;
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
            throw new dev.patchbay.core.errors.BackendException("failed to remove \"" + dir + "\": " + StateFiles.words(e), e);
        }
    }

    /** The attachment recorded as {@code containerId}, if any; a record that is no attachment is damage (see {@link #attachments}). */
    Optional<Attachment> attachment(String network, String containerId) {
        StateLog log = attachmentLog(network).refresh();
        String json = log.get(containerId);
        return Optional.ofNullable(json == null ? null : parse(log.file(), containerId, json));
    }

    /**
     * The network's attachments, by container id. Needs no lock: a log is read up to its last complete line. A damaged
     * log, or a value in it that is JSON but no attachment, throws a {@link dev.patchbay.core.errors.BackendException}
     * naming the file (and the entry): damage of this network only, listed by {@link #attachmentDamage}.
     */
    List<Attachment> attachments(String network) {
        StateLog log = attachmentLog(network).refresh();
        List<Attachment> out = new ArrayList<>();
        log.all().forEach((key, json) -> out.add(parse(log.file(), key, json)));
        return out;
    }

    /** Like {@link #attachments}, but a damaged log is read as far as it is readable (see {@link #attachmentDamage}). */
    List<Attachment> readableAttachments(String network) {
        List<Attachment> out = new ArrayList<>();
        attachmentLog(network).refreshReadable().all().values().forEach(json -> {
            Attachment a = attachmentOrNull(json);
            if (a != null) {
                out.add(a); // else a line that is JSON but no attachment: damage, see attachmentDamage
            }
        });
        return out;
    }

    /** What cannot be read of the network's attachment log, in words (empty when whole): damaged lines, entries that are no attachment. */
    List<String> attachmentDamage(String network) {
        StateLog log = attachmentLog(network).refreshReadable();
        List<String> out = new ArrayList<>();
        log.damage().forEach(d -> out.add(d.toString()));
        log.all().forEach((key, json) -> {
            if (attachmentOrNull(json) == null) {
                out.add(noAttachment(log.file(), key));
            }
        });
        return out;
    }

    /**
     * Rewrites a damaged attachment log from its readable lines, without the entries that are no attachment, keeping the
     * damaged file beside it ({@code NAME.log.damaged-TIME}); returns the copy, or null if the log was whole. The caller
     * holds the lock.
     */
    Path repairAttachments(String network) {
        StateLog log = attachmentLog(network).refreshReadable();
        Path copy = null;
        for (Map.Entry<String, String> e : log.all().entrySet()) {
            if (attachmentOrNull(e.getValue()) == null) {
                copy = copy == null ? keep(log.file()) : copy;
                log.remove(e.getKey());
            }
        }
        Path kept = log.repair(); // rewritten from the readable lines, if any was damaged
        return copy == null ? kept : copy;
    }

    private static Attachment parse(Path file, String key, String json) {
        Attachment a = attachmentOrNull(json);
        if (a == null) {
            throw new dev.patchbay.core.errors.BackendException(noAttachment(file, key));
        }
        return a;
    }

    private static String noAttachment(Path file, String key) {
        return "state file \"" + file + "\" is damaged: entry \"" + key + "\" is no attachment (it names no network, container,"
                + " namespace or interface)";
    }

    /** The attachment a record's JSON holds, or null if it holds none (JSON of another shape, or missing what every record has). */
    private static Attachment attachmentOrNull(String json) {
        try {
            Attachment a = Json.compact().fromJson(json, Attachment.class);
            return a == null || a.network() == null || a.containerId() == null || a.netnsPath() == null || a.ifName() == null ? null : a;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Whether an attachment record of the network names one of {@code links} as its host link: a scan of the log's text. */
    boolean namesHostLink(String network, java.util.Set<String> links) {
        for (String json : attachmentLog(network).refreshReadable().all().values()) {
            for (String l : links) {
                if (json.contains("\"hostIf\":\"" + l + "\"")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The namespace identity recorded with an attachment ({@code BOOTID/COOKIE}), or null (records of earlier releases). */
    String netnsId(String network, String containerId) {
        String json = attachmentLog(network).refreshReadable().get(containerId);
        if (json == null) {
            return null;
        }
        try {
            JsonElement id = JsonParser.parseString(json).getAsJsonObject().get("netnsId");
            return id == null || id.isJsonNull() ? null : id.getAsString();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The networks that have an attachment log, whether or not their record can be read. */
    List<String> attachmentLogs() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("attachments"), "*.log")) {
            ds.forEach(p -> {
                String n = p.getFileName().toString();
                out.add(n.substring(0, n.length() - 4));
            });
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new dev.patchbay.core.errors.BackendException("failed to list state directory \"" + root.resolve("attachments") + "\": "
                    + StateFiles.words(e), e);
        }
        out.sort(null);
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

    /** Records (or replaces) an attachment, keeping what its record had beside it; the caller holds the network's lock. */
    void save(Attachment a) {
        save(a, netnsId(a.network(), a.containerId()), origin(a.network(), a.containerId()).orElse(null));
    }

    /** Records an attachment with the identity of its namespace ({@code netnsId}, may be null); the caller holds the lock. */
    void save(Attachment a, String netnsId) {
        save(a, netnsId, null);
    }

    /**
     * Records an attachment with the identity of its namespace ({@code netnsId}, may be null) and, for one a CNI ADD
     * made, its {@link CniOrigin} (null: made otherwise); the caller holds the lock.
     */
    void save(Attachment a, String netnsId, CniOrigin origin) {
        JsonObject json = Json.compact().toJsonTree(a).getAsJsonObject();
        if (netnsId != null) {
            json.addProperty("netnsId", netnsId);
        }
        if (origin != null) {
            JsonObject cni = new JsonObject();
            cni.addProperty("containerId", origin.containerId());
            cni.addProperty("ifName", origin.ifName().value());
            cni.addProperty("config", origin.config());
            json.add("cni", cni);
        }
        attachmentLog(a.network()).put(a.containerId(), json.toString());
    }

    /** The CNI origin recorded with an attachment; empty for one made otherwise (or by a release before origins). */
    Optional<CniOrigin> origin(String network, String key) {
        String json = attachmentLog(network).refreshReadable().get(key);
        return json == null ? Optional.empty() : parseOrigin(key, json);
    }

    /** The CNI origins of the network's attachments, by attachment id. */
    Map<String, CniOrigin> origins(String network) {
        Map<String, CniOrigin> out = new java.util.HashMap<>();
        attachmentLog(network).refresh().all().forEach((key, json) -> parseOrigin(key, json).ifPresent(o -> out.put(key, o)));
        return out;
    }

    private static Optional<CniOrigin> parseOrigin(String key, String json) {
        try {
            JsonElement cni = JsonParser.parseString(json).getAsJsonObject().get("cni");
            if (cni == null || !cni.isJsonObject()) {
                return Optional.empty();
            }
            JsonObject o = cni.getAsJsonObject();
            return Optional.of(new CniOrigin(o.get("containerId").getAsString(), dev.patchbay.core.model.IfName.of(o.get("ifName").getAsString()),
                    o.get("config").getAsString(), key));
        } catch (RuntimeException e) {
            return Optional.empty(); // an origin that cannot be read is none: CNI leaves the attachment alone
        }
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
            throw new dev.patchbay.core.errors.BackendException("failed to list state directory \"" + dir + "\": " + StateFiles.words(e), e);
        }
        return out;
    }
}

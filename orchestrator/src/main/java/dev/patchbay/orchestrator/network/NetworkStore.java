package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.Json;
import dev.patchbay.orchestrator.state.StateLog;
import dev.patchbay.core.network.Attachment;
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
        return StateFiles.read(root.resolve("networks").resolve(name + ".json"), NetworkRecord.class);
    }

    List<NetworkRecord> networks() {
        List<NetworkRecord> out = new ArrayList<>();
        for (Path p : list(root.resolve("networks"))) {
            StateFiles.read(p, NetworkRecord.class).ifPresent(out::add);
        }
        out.sort(Comparator.comparing(NetworkRecord::name));
        return out;
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

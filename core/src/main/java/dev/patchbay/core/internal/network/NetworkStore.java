package dev.patchbay.core.internal.network;

import dev.patchbay.core.network.Attachment;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Networks and attachments in a state directory:
 * <pre>
 * networks/NAME.json                  one NetworkRecord
 * attachments/NAME/CONTAINER-ID.json  one Attachment
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
        try {
            Files.deleteIfExists(root.resolve("attachments").resolve(name));
        } catch (IOException e) {
            // not empty: attachments left by a forced removal stay visible to gc
        }
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
        return StateFiles.read(attachmentFile(network, containerId), Attachment.class);
    }

    List<Attachment> attachments(String network) {
        List<Attachment> out = new ArrayList<>();
        for (Path p : list(root.resolve("attachments").resolve(network))) {
            StateFiles.read(p, Attachment.class).ifPresent(out::add);
        }
        out.sort(Comparator.comparing(Attachment::containerId));
        return out;
    }

    void save(Attachment a) {
        StateFiles.write(attachmentFile(a.network(), a.containerId()), a);
    }

    void deleteAttachment(String network, String containerId) {
        StateFiles.delete(attachmentFile(network, containerId));
    }

    /** Serialises creation and removal of networks (names and subnets must stay unique). */
    <T> T lockNetworks(Supplier<T> action) {
        return StateFiles.locked(root.resolve("locks").resolve(".networks.lock"), action);
    }

    /** Serialises changes to one network: attach, detach, publish, remove. */
    <T> T lockNetwork(String name, Supplier<T> action) {
        return StateFiles.locked(root.resolve("locks").resolve(name + ".lock"), action);
    }

    private Path attachmentFile(String network, String containerId) {
        return root.resolve("attachments").resolve(network).resolve(containerId + ".json");
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

package dev.patchbay.orchestrator.network;

import dev.patchbay.state.FileLocks;
import dev.patchbay.state.StateFormat;
import dev.patchbay.state.StateLog;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * gc's first step ({@link StateFormat}): refuse a state directory that holds a file of a newer format before anything
 * is changed, then write every whole file of before formats anew with the current one, each under the lock its writers
 * take (a network's record and logs under the network's lock, the firewall logs under the firewall lock). A write
 * upgrades its file anyway; this makes an upgraded Patchbay's first gc (the daemon's start) leave every file versioned.
 * Damaged files are left to {@code gc --repair}, which writes the format too.
 */
final class Upgrade {
    private Upgrade() {
    }

    /** Throws {@link dev.patchbay.state.NewerStateException} for the first file of a newer format. */
    static void refuseNewer(Path root) {
        StateFormat.refuseNewer(root.resolve("networks"), "*.json");
        StateFormat.refuseNewer(root.resolve("attachments"), "*.log");
        StateFormat.refuseNewer(root.resolve("journal"), "*.{log,json}");
        StateFormat.refuseNewer(root.resolve("firewall"), "*.log");
    }

    /**
     * Upgrades what is of before formats; the caller holds the networks' lock. Returns the files written anew; one the
     * file system refuses to write (a full disk) is left as it is, named in {@code left} with why.
     */
    static List<Path> run(NetworkStore store, List<String> left) {
        Path root = store.root();
        List<Path> done = new ArrayList<>();
        java.util.SortedSet<String> networks = new java.util.TreeSet<>(store.attachmentLogs());
        names(root.resolve("networks"), ".json").forEach(networks::add);
        names(root.resolve("journal"), ".log").forEach(networks::add);
        for (String name : networks) {
            store.lockNetwork(name, () -> {
                upgrade(store.networkFile(name), () -> StateFiles.upgrade(store.networkFile(name)), done, left);
                for (String dir : List.of("attachments", "journal")) {
                    StateLog log = StateLog.shared(root.resolve(dir).resolve(name + ".log"), Map.of("network", name));
                    upgrade(log.file(), log::upgrade, done, left);
                }
                return null;
            });
        }
        List<String> firewalls = names(root.resolve("firewall"), ".log");
        if (!firewalls.isEmpty()) {
            FileLocks.locked(root.resolve("firewall").resolve(".lock"), () -> {
                for (String f : firewalls) {
                    StateLog log = new StateLog(root.resolve("firewall").resolve(f + ".log"), Map.of(), null);
                    upgrade(log.file(), log::upgrade, done, left);
                }
                return null;
            });
        }
        return done;
    }

    private static void upgrade(Path file, java.util.function.BooleanSupplier upgrade, List<Path> done, List<String> left) {
        try {
            if (upgrade.getAsBoolean()) {
                done.add(file);
            }
        } catch (dev.patchbay.state.NewerStateException newer) {
            throw newer;
        } catch (dev.patchbay.core.errors.BackendException refused) {
            left.add(refused.getMessage() + " (not upgraded: read as it is; a later write or gc upgrades it)");
        }
    }

    private static List<String> names(Path dir, String suffix) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + suffix)) {
            ds.forEach(p -> {
                String n = p.getFileName().toString();
                out.add(n.substring(0, n.length() - suffix.length()));
            });
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new dev.patchbay.core.errors.BackendException("failed to list state directory \"" + dir + "\": "
                    + StateFiles.words(e), e);
        }
        out.sort(null);
        return out;
    }
}

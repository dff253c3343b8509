package dev.patchbay.core.internal.firewall;

import com.google.gson.reflect.TypeToken;
import dev.patchbay.core.command.Json;
import dev.patchbay.core.errors.BackendException;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NotLinkException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the state directory records for one host namespace, read and written under the firewall lock:
 * <pre>
 * firewall/netns-DEV-INO.json                 identity and chosen backend (written when the backend changes)
 * firewall/netns-DEV-INO.d/owners/OWNER.json  one owner's desired rules (written by its apply, removed by its remove)
 * firewall/netns-DEV-INO.d/ports/KEY          which owner publishes a protocol/address/port
 * </pre>
 * So an apply or remove touches its own owner's files only: the cost does not grow with the number of
 * owners. Files are replaced atomically (temp file, rename) without fsync: what they describe — rules in
 * a namespace — does not survive a reboot either.
 */
final class HostRecord {
    String netns;
    String identity;
    String backend;
    private transient Path dir;

    static Path file(Path stateDir, String identity) {
        return stateDir.resolve("firewall").resolve("netns-" + identity.replace(':', '-') + ".json");
    }

    static HostRecord read(Path stateDir, String identity) {
        Path file = file(stateDir, identity);
        HostRecord r;
        try {
            r = Json.compact().fromJson(Files.readString(file, StandardCharsets.UTF_8), HostRecord.class);
        } catch (NoSuchFileException e) {
            r = new HostRecord();
            r.identity = identity;
        } catch (IOException | RuntimeException e) {
            throw new BackendException("failed to read state file \"" + file + "\": " + e.getMessage(), e);
        }
        r.dir = file.resolveSibling("netns-" + identity.replace(':', '-') + ".d");
        return r;
    }

    void write(Path stateDir) {
        replace(file(stateDir, identity), Json.compact().toJson(this));
    }

    /** Every owner's rules, by owner id: reads every owner file (for swaps, listings and repair). */
    Map<String, List<RuleJson>> owners() {
        Map<String, List<RuleJson>> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve("owners"), "*.json")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                String id = URLDecoder.decode(name.substring(0, name.length() - 5), StandardCharsets.UTF_8);
                List<RuleJson> rules = owner(id);
                if (rules != null) {
                    out.put(id, rules);
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new BackendException("failed to list \"" + dir + "\": " + e.getMessage(), e);
        }
        return out;
    }

    boolean hasOwners() {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve("owners"), "*.json")) {
            return ds.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    /** One owner's recorded rules, or null. */
    List<RuleJson> owner(String id) {
        Path f = ownerFile(id);
        try {
            return Json.compact().fromJson(Files.readString(f, StandardCharsets.UTF_8), new TypeToken<List<RuleJson>>() { }.getType());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            throw new BackendException("failed to read state file \"" + f + "\": " + e.getMessage(), e);
        }
    }

    void putOwner(String id, List<RuleJson> rules) {
        replace(ownerFile(id), Json.compact().toJson(rules));
    }

    void removeOwner(String id) {
        delete(ownerFile(id));
    }

    /** The owner publishing {@code key}, or null. */
    String portHolder(String key) {
        Path f = portFile(key);
        try {
            return URLDecoder.decode(Files.readSymbolicLink(f).toString(), StandardCharsets.UTF_8);
        } catch (NotLinkException e) {
            try {
                return Files.readString(f, StandardCharsets.UTF_8); // written by a release that kept claims in files
            } catch (IOException gone) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A claim is a symbolic link named by the key whose target is the owner: made in one step, and a short
     * target lives in the inode, so no data block is written (a temp file and a rename cost several times more).
     */
    void claimPort(String key, String owner) {
        Path f = portFile(key);
        Path target = Path.of(URLEncoder.encode(owner, StandardCharsets.UTF_8));
        try {
            try {
                Files.createSymbolicLink(f, target);
            } catch (NoSuchFileException e) {
                Files.createDirectories(f.getParent());
                Files.createSymbolicLink(f, target);
            } catch (FileAlreadyExistsException e) {
                Files.delete(f); // a stale claim: the caller checked the holder under the firewall lock
                Files.createSymbolicLink(f, target);
            }
        } catch (IOException e) {
            throw new BackendException("failed to write state file \"" + f + "\": " + e.getMessage(), e);
        }
    }

    void releasePort(String key) {
        delete(portFile(key));
    }

    private Path ownerFile(String id) {
        return dir.resolve("owners").resolve(URLEncoder.encode(id, StandardCharsets.UTF_8) + ".json");
    }

    private Path portFile(String key) {
        return dir.resolve("ports").resolve(URLEncoder.encode(key, StandardCharsets.UTF_8));
    }

    private static void replace(Path file, String content) {
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BackendException("failed to write state file \"" + file + "\": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temp file is overwritten next time
            }
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new BackendException("failed to delete state file \"" + file + "\": " + e.getMessage(), e);
        }
    }
}

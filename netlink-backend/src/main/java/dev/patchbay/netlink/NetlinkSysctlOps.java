package dev.patchbay.netlink;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotPermittedException;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.SysctlOps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Sysctls under {@code /proc/sys/net}. The kernel picks the namespace of the thread that opens the
 * file, so each access runs on a thread that entered the handle's namespace.
 */
final class NetlinkSysctlOps implements SysctlOps {
    private final NetnsRef netns;

    NetlinkSysctlOps(NetnsRef netns) {
        this.netns = netns;
    }

    /** {@code net.ipv4.ip_forward} or {@code net/ipv4/ip_forward} to its file; only net.* keys. */
    static Path path(String key) {
        if (key == null || !key.matches("net[./][A-Za-z0-9_./-]+") || key.contains("..") || key.contains("//")) {
            throw new InvalidInputException("sysctl key", key, "expected a key under net., e.g. net.ipv4.ip_forward");
        }
        String rel = key.indexOf('/') >= 0 ? key : key.replace('.', '/');
        return Path.of("/proc/sys").resolve(rel);
    }

    @Override
    public Optional<String> get(String key) {
        Path p = path(key);
        return NetnsThreads.callIn(netns, () -> {
            try {
                return Optional.of(readWhole(p));
            } catch (NoSuchFileException e) {
                return Optional.<String>empty();
            } catch (IOException e) {
                throw new BackendException("failed to read sysctl \"" + key + "\" in " + netns.describe() + ": " + e, e);
            }
        });
    }

    /**
     * The file in one read: a sysctl's file says its size is 0, and a number's (somaxconn's "4096") answers a read
     * past offset 0 with end of file, so reading it byte by byte first, as Files.readString does, keeps one digit.
     */
    static String readWhole(Path p) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[65536];
            int n = 0;
            for (int r; n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0; ) {
                n += r;
            }
            return new String(buf, 0, n, StandardCharsets.US_ASCII).trim();
        }
    }

    @Override
    public void set(String key, String value) {
        Path p = path(key);
        if (value == null || value.isEmpty() || value.indexOf('\n') >= 0) {
            throw new InvalidInputException("sysctl value", value, "must be one line");
        }
        NetnsThreads.callIn(netns, () -> {
            try {
                Files.writeString(p, value + "\n", StandardCharsets.US_ASCII);
                return null;
            } catch (NoSuchFileException e) {
                throw new dev.patchbay.core.errors.NotFoundException("sysctl \"" + key + "\" not found in " + netns.describe(), e);
            } catch (AccessDeniedException e) {
                throw new NotPermittedException("failed to set sysctl \"" + key + "\" in " + netns.describe() + ": " + e, e);
            } catch (IOException e) {
                throw new BackendException("failed to set sysctl \"" + key + "\" to \"" + value + "\" in " + netns.describe() + ": " + e, e);
            }
        });
    }

    @Override
    public String ensure(String key, String value) {
        String before = get(key).orElseThrow(() -> new dev.patchbay.core.errors.NotFoundException(
                "sysctl \"" + key + "\" not found in " + netns.describe()));
        if (!before.equals(value)) {
            set(key, value);
        }
        return before;
    }
}

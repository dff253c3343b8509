package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.sys.Errno;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsOps;
import dev.patchbay.sys.LibC;
import dev.patchbay.sys.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Named namespaces the way {@code ip netns} keeps them: {@code /run/netns} is made a shared mount
 * point (bound onto itself first if it is not one), each namespace is an empty file there with the
 * namespace's nsfs file bind-mounted onto it. A new namespace is made by a fresh thread that
 * unshares its network namespace, mounts it, and ends.
 */
final class NetlinkNetnsOps implements NetnsOps {
    private final Path runDir;

    NetlinkNetnsOps(Path runDir) {
        this.runDir = runDir;
    }

    @Override
    public NetnsRef.Named create(String name) {
        NetnsRef.Named ref = new NetnsRef.Named(name);
        Path path = prepare(ref);
        try {
            NetnsThreads.onFreshThread("patchbay-netns-add", () -> {
                LibC libc = Sys.libc();
                if (libc.unshare(Sys.CLONE_NEWNET) < 0) {
                    throw NetnsThreads.fail("create", ref, new NetlinkError(Sys.errno(), "unshare(CLONE_NEWNET)"));
                }
                bind("/proc/thread-self/ns/net", path, ref);
                return null;
            });
        } catch (RuntimeException e) {
            deleteQuietly(path, e);
            throw e;
        }
        return ref;
    }

    @Override
    public NetnsRef.Named attach(String name, NetnsRef target) {
        NetnsRef.Named ref = new NetnsRef.Named(name);
        Sys.libc().close(NetnsThreads.openNetns(target)); // fails clearly if the target is gone
        Path path = prepare(ref);
        try {
            bind(target.path().toString(), path, ref);
        } catch (RuntimeException e) {
            deleteQuietly(path, e);
            throw e;
        }
        return ref;
    }

    /** Makes the run dir a shared mount and creates the empty mount-point file. */
    private Path prepare(NetnsRef.Named ref) {
        LibC libc = Sys.libc();
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new BackendException("failed to create " + runDir + ": " + e, e);
        }
        String dir = runDir.toString();
        if (libc.mount("", dir, "none", Sys.MS_SHARED | Sys.MS_REC, null) < 0) {
            int errno = Sys.errno();
            if (errno != Errno.EINVAL) {
                throw NetnsThreads.fail("create", ref, new NetlinkError(errno, "mount --make-shared " + dir));
            }
            if (libc.mount(dir, dir, "none", Sys.MS_BIND | Sys.MS_REC, null) < 0
                    || libc.mount("", dir, "none", Sys.MS_SHARED | Sys.MS_REC, null) < 0) {
                throw NetnsThreads.fail("create", ref, new NetlinkError(Sys.errno(), "mount --bind " + dir));
            }
        }
        Path path = runDir.resolve(ref.name());
        int fd = libc.open(path.toString(), Sys.O_RDONLY | Sys.O_CREAT | Sys.O_EXCL | Sys.O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = Sys.errno();
            if (errno == Errno.EEXIST) {
                throw new AlreadyExistsException("namespace \"" + ref.name() + "\" already exists", new NetlinkError(errno, path.toString()));
            }
            throw NetnsThreads.fail("create", ref, new NetlinkError(errno, "create " + path));
        }
        libc.close(fd);
        return path;
    }

    private static void bind(String source, Path target, NetnsRef ref) {
        if (Sys.libc().mount(source, target.toString(), "none", Sys.MS_BIND, null) < 0) {
            throw NetnsThreads.fail("create", ref, new NetlinkError(Sys.errno(), "bind mount " + source + " on " + target));
        }
    }

    private static void deleteQuietly(Path path, RuntimeException cause) {
        try {
            Sys.libc().umount2(path.toString(), Sys.MNT_DETACH);
            Files.deleteIfExists(path);
        } catch (IOException | RuntimeException undo) {
            cause.addSuppressed(undo);
        }
    }

    @Override
    public void delete(String name) {
        NetnsRef.Named ref = new NetnsRef.Named(name);
        Path path = runDir.resolve(ref.name());
        if (!Files.exists(path)) {
            throw new NotFoundException("namespace \"" + name + "\" not found (no " + path + ")");
        }
        if (Sys.libc().umount2(path.toString(), Sys.MNT_DETACH) < 0) {
            int errno = Sys.errno();
            if (errno != Errno.EINVAL) { // EINVAL: nothing mounted there; remove the stale file anyway
                throw NetnsThreads.fail("delete", ref, new NetlinkError(errno, "umount " + path));
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new BackendException("failed to delete namespace \"" + name + "\": " + e, e);
        }
    }

    @Override
    public List<String> list() {
        if (!Files.isDirectory(runDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(runDir)) {
            List<String> names = new ArrayList<>();
            files.forEach(p -> names.add(p.getFileName().toString()));
            names.sort(null);
            return names;
        } catch (IOException e) {
            throw new BackendException("failed to list " + runDir + ": " + e, e);
        }
    }

    @Override
    public boolean exists(NetnsRef netns) {
        return Files.exists(netns.path());
    }
}

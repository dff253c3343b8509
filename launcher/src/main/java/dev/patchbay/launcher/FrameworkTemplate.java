package dev.patchbay.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * A framework cache a one-shot run (a CLI command, a CNI call with no daemon) starts from instead of an empty one: the
 * bundles of the folder already installed, and SCR's parsed component descriptions stored ({@code ds.cache.metadata},
 * which SCR writes when it stops). Such a run installs nothing and parses no descriptor; Felix starts the bundles the
 * template holds as started.
 *
 * <p>Where: {@code -Dpatchbay.template=DIR}, which bin/patchbay-cds sets next to the class data sharing archive and
 * names by the same key (a checksum of the distribution's folder, of every file of {@code lib/} and {@code bundles/}
 * and of the JDK), so any change names another. A template is used only when it is a directory (not a link) of the
 * same owner as its folder, which only its owner may enter. The first run that finds none makes it: it stops its
 * framework in order, copies the cache to a temporary name and renames the copy into place, so concurrent runs see a
 * whole template or none. Anything that goes wrong means a run from an empty cache, as before.
 */
final class FrameworkTemplate {
    static final String PROPERTY = "patchbay.template";

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private final Path dir;

    private FrameworkTemplate(Path dir) {
        this.dir = dir;
    }

    /** The template bin/patchbay named for this run, or null (none named, or the daemon, which never uses one). */
    static FrameworkTemplate forRun(boolean daemon) {
        String p = System.getProperty(PROPERTY);
        if (daemon || p == null || p.isEmpty()) {
            return null;
        }
        Path dir = Path.of(p).toAbsolutePath();
        return dir.getParent() == null ? null : new FrameworkTemplate(dir);
    }

    /**
     * True when a usable template exists: a directory, not a link, 0700, of its folder's owner (compared by number: a
     * name would be looked up in the user database).
     */
    boolean present() {
        try {
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    && Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS).equals(Files.getAttribute(dir.getParent(), "unix:uid"))
                    && Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Starts copying the template into the empty {@code storage} on a thread of its own, so that the copy overlaps the
     * creation of the framework (which reads its cache only in {@code init}); {@link Copy#succeeded} waits for it.
     */
    Copy copyInto(Path storage) {
        Copy copy = new Copy(dir, storage);
        copy.start();
        return copy;
    }

    /** A copy under way. */
    static final class Copy extends Thread {
        private final Path from;
        private final Path to;
        private volatile boolean ok;

        private Copy(Path from, Path to) {
            super("patchbay-template-copy");
            setDaemon(true);
            this.from = from;
            this.to = to;
        }

        @Override
        public void run() {
            try {
                copyTree(from, to);
                ok = true;
            } catch (IOException | RuntimeException e) {
                ok = false;
            }
        }

        /** Waits for the copy: false if it failed (the storage then holds part of the template). */
        boolean succeeded() {
            try {
                join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return ok;
        }
    }

    /**
     * Makes the template from {@code storage}, the cache of a framework that has just stopped, replacing one that is
     * there but not usable. Quietly does nothing when another run made it meanwhile or the folder refuses: the next
     * run tries again.
     */
    void makeFrom(Path storage) {
        Path tmp = dir.resolveSibling("." + dir.getFileName() + "." + FelixBoot.pid() + ".tmp");
        try {
            Files.createDirectory(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            copyTree(storage, tmp);
            if (present()) {
                FelixBoot.deleteTree(tmp); // another run made it meanwhile, and runs may be copying it: kept
                return;
            }
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) { // there but not usable, so nobody copies it
                Path aside = dir.resolveSibling(tmp.getFileName() + ".old");
                Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
                FelixBoot.deleteTree(aside);
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            FelixBoot.deleteTree(tmp); // another run's template won, or the disk refused: none made by this run
        }
    }

    /** Copies files and folders (the cache holds nothing else), depth first; {@code to} exists. */
    private static void copyTree(Path from, Path to) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(from)) {
            for (Path p : entries) {
                Path q = to.resolve(p.getFileName().toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(q);
                    copyTree(p, q);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(p, q);
                }
            }
        }
    }
}

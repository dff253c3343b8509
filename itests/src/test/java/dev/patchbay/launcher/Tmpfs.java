package dev.patchbay.launcher;

import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small tmpfs the test mounts on a folder of its own (the test JVM has a mount namespace of its own: nobody else
 * sees it), whose space can be cut to what it holds plus {@code k} pages or {@code k} inodes: the next write that
 * needs one more fails with ENOSPC, as on a full disk. Remounting with a lower limit keeps every file as it is.
 */
final class Tmpfs implements AutoCloseable {
    private static final long SIZE = 16L << 20;
    private static final long INODES = 20_000;
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    static Tmpfs mount() throws Exception {
        Path dir = Files.createTempDirectory("pb-disk");
        sh("mount", "-t", "tmpfs", "-o", "size=" + SIZE + ",nr_inodes=" + INODES + ",mode=0700", "pbdisk", dir.toString());
        return new Tmpfs(dir);
    }

    Path dir() {
        return dir;
    }

    /** Only {@code k} more pages (4 KiB) can be written; inodes stay plenty. */
    void freePages(long k) {
        long[] s = statfs();
        sh("mount", "-o", "remount,size=" + (s[0] - s[1] + k) * s[4] + ",nr_inodes=" + INODES, dir.toString());
        check(statfs()[1] == k, "pages free: " + statfs()[1] + " instead of " + k);
    }

    /** Only {@code k} more files (or hard links, on tmpfs) can be made; space stays plenty. */
    void freeInodes(long k) {
        long[] s = statfs();
        sh("mount", "-o", "remount,size=" + SIZE + ",nr_inodes=" + (s[2] - s[3] + k), dir.toString());
        check(statfs()[3] == k, "inodes free: " + statfs()[3] + " instead of " + k);
    }

    /** Space and inodes back. */
    void plenty() {
        sh("mount", "-o", "remount,size=" + SIZE + ",nr_inodes=" + INODES, dir.toString());
    }

    /** Blocks, free blocks, inodes, free inodes, block size. */
    private long[] statfs() {
        String[] f = sh("stat", "-f", "-c", "%b %f %c %d %S", dir.toString()).strip().split(" ");
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Long.parseLong(f[i]);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        if (Sandbox.exec("umount", dir.toString()).code() != 0) {
            sh("umount", "-l", dir.toString()); // a process of the test still holds a file there: detached now, freed when it exits
        }
        Files.delete(dir);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static String sh(String... argv) {
        Sandbox.Result r = Sandbox.exec(argv);
        check(r.code() == 0, String.join(" ", argv) + " exited " + r.code() + ": " + r.output());
        return r.output();
    }
}

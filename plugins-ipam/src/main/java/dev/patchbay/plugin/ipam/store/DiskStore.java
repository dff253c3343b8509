package dev.patchbay.plugin.ipam.store;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.IpamNames;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * CNI host-local's layout, byte for byte: {@code <dataDir>/<network>/} holds one file per address, named by the
 * address ({@code 10.0.0.2}, {@code fd00::2}) and holding {@code <owner id>\r\n<ifname>}; a
 * {@code last_reserved_ip.<range set index>} file with the last address handed out in that set; and {@code lock},
 * taken with flock(2) around every change (see {@link Flock}). A new address file is created with O_EXCL, so an
 * address can never be handed out twice even by a writer that ignores the lock. What this creates is root's only:
 * directories 0700, files 0600 (the lock file too, so no other user can take it and stall root); what host-local or
 * an older Patchbay made is left as it is, except a lock file others could open, which is narrowed to 0600.
 * Reading ({@link #readLock}, {@link #entries}) creates nothing.
 *
 * <p>Crash safety: like host-local, records are not fsynced by default ({@code fsync=true} turns it on, at about
 * 2.5 ms per allocation on a disk). After a power loss a record is either complete, absent, or empty. Absent is
 * safe because the owners (network namespaces) did not survive the crash either; an empty record reads as
 * "unreadable" and is never handed out again nor removed by GC (when in doubt, keep) until an operator frees it
 * with {@code patchbay ipam release --address}. So does any record that is not exactly what host-local writes
 * (see {@link #parseRecord}): its {@link AllocationRecord#problem} says what is wrong.
 */
public final class DiskStore implements Store {
    /** Temporary records being written: never an address, so host-local and scans skip them. */
    static final String TEMP_PREFIX = ".reserve-";

    static final String LINE_BREAK = "\r\n";
    static final String LAST_RESERVED = "last_reserved_ip.";
    /** An owner id of up to 4 KiB plus an interface name; longer content is cut (and then fails to match). */
    static final int MAX_RECORD = 4096 + 2 + 16;
    static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    /**
     * What this process last saw of each directory, valid while the directory's mtime is unchanged: a long-lived
     * process (the daemon) then reads one directory entry per allocation instead of every record. Kept only by
     * callers holding the lock; a change by another writer within the same clock tick can slip past it, which
     * O_EXCL still catches ({@link #reserve} returns false) and {@link #forget} then drops the snapshot.
     */
    private static final ConcurrentHashMap<Path, Snapshot> SNAPSHOTS = new ConcurrentHashMap<>();

    private record Snapshot(FileTime mtime, Map<InetAddress, AllocationRecord> records) {
    }

    private final String network;
    private final Path dir;
    private final boolean fsync;
    /** Whether a lock of ours is held: only then may {@link #entries} use and keep the snapshot. */
    private volatile boolean locked;

    public DiskStore(Path dataDir, String network, boolean fsync) {
        this.network = IpamNames.checkNetwork(network);
        this.dir = dataDir.toAbsolutePath().normalize().resolve(network);
        this.fsync = fsync;
    }

    /** Without fsync, as host-local writes: see the class comment for why that is safe enough. */
    public DiskStore(Path dataDir, String network) {
        this(dataDir, network, false);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public String network() {
        return network;
    }

    @Override
    public boolean exists() {
        return Files.isDirectory(dir);
    }

    @Override
    public Lock lock() {
        try {
            if (!Files.isDirectory(dir)) { // a stat; createDirectories on a folder that exists builds an exception
                Files.createDirectories(dir, DIR_MODE);
            }
        } catch (IOException e) {
            throw fail("create data directory", dir, e);
        }
        return hold(false);
    }

    @Override
    public Lock readLock() {
        return hold(true);
    }

    private Lock hold(boolean shared) {
        ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(dir, d -> new ReentrantLock());
        jvm.lock();
        try {
            Lock file = shared ? Flock.acquireShared(dir.resolve("lock")) : Flock.acquire(dir.resolve("lock"));
            if (file == null) { // no lock file: nobody ever wrote under the lock here; read without, create nothing
                return jvm::unlock;
            }
            locked = true;
            return () -> {
                locked = false;
                try {
                    file.close();
                } finally {
                    jvm.unlock();
                }
            };
        } catch (RuntimeException e) {
            jvm.unlock();
            throw e;
        }
    }

    @Override
    public List<AllocationRecord> entries() {
        if (!exists()) {
            return new ArrayList<>();
        }
        if (!locked) { // a writer may be between O_EXCL and its write: what is read now must not be remembered
            return scan();
        }
        FileTime mtime = mtime();
        Snapshot seen = SNAPSHOTS.get(dir);
        if (seen != null && mtime != null && seen.mtime().equals(mtime)) {
            return new ArrayList<>(seen.records().values());
        }
        List<AllocationRecord> out = scan();
        if (mtime != null) {
            Map<InetAddress, AllocationRecord> byAddress = new LinkedHashMap<>();
            out.forEach(r -> byAddress.put(r.address(), r));
            SNAPSHOTS.put(dir, new Snapshot(mtime, byAddress));
        }
        return out;
    }

    /** Drops this process's snapshot of the directory: the next {@link #entries} reads every record. */
    public void forget() {
        SNAPSHOTS.remove(dir);
    }

    private FileTime mtime() {
        try {
            return Files.getLastModifiedTime(dir);
        } catch (IOException e) {
            return null;
        }
    }

    /** After a change of ours (under the lock): the snapshot follows it, stamped with the directory's new mtime. */
    private void noted(InetAddress address, AllocationRecord record) {
        Snapshot seen = SNAPSHOTS.get(dir);
        FileTime mtime = mtime();
        if (seen == null || mtime == null) {
            return;
        }
        Map<InetAddress, AllocationRecord> next = new LinkedHashMap<>(seen.records());
        if (record == null) {
            next.remove(address);
        } else {
            next.put(address, record);
        }
        SNAPSHOTS.put(dir, new Snapshot(mtime, next));
    }

    private List<AllocationRecord> scan() {
        List<AllocationRecord> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (f.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    sweep(f, f.getFileName().toString());
                    continue;
                }
                InetAddress address = addressOf(f.getFileName().toString());
                if (address != null) {
                    readRecord(f, address).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw fail("read allocations of network", dir, e);
        }
        return out;
    }

    /** The address a file name stands for, or null if it is not an address (lock, last_reserved_ip.N, ...). */
    static InetAddress addressOf(String name) {
        char c = name.isEmpty() ? 'x' : Character.toLowerCase(name.charAt(0));
        if (!(Character.isDigit(c) || (c >= 'a' && c <= 'f') || c == ':')) {
            return null;
        }
        try {
            return IpAddresses.parse("file", name);
        } catch (PatchbayException e) {
            return null;
        }
    }

    /** Reads one record with open, one read, close (records are a few bytes); a directory or a vanished file is none. */
    private Optional<AllocationRecord> readRecord(Path f, InetAddress address) {
        ByteBuffer buf = ByteBuffer.allocate(MAX_RECORD + 1);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // a short read of a regular file is its end; loop only if the kernel split the read
            }
        } catch (NoSuchFileException e) {
            return Optional.empty(); // released meanwhile by a writer that ignores the lock
        } catch (IOException e) {
            return Optional.empty(); // a directory or something else that is not a record
        }
        buf.flip();
        if (buf.remaining() > MAX_RECORD) {
            return Optional.of(unreadable(address, "is longer than a record can be (" + MAX_RECORD + " bytes)"));
        }
        String content;
        try {
            content = StandardCharsets.UTF_8.newDecoder().decode(buf).toString(); // reports bad bytes, never replaces
        } catch (CharacterCodingException e) {
            return Optional.of(unreadable(address, "is not UTF-8 text"));
        }
        return Optional.of(parseRecord(network, address, content));
    }

    private AllocationRecord unreadable(InetAddress address, String problem) {
        return new AllocationRecord(network, address, null, null, problem);
    }

    /**
     * host-local writes {@code id\r\nifname}; before CNI 0.8 it wrote only the id. Anything else is unreadable, with
     * the problem in words: empty or zeroes (a power loss after O_EXCL), more than two lines, control characters in
     * the id, a second line that is no interface name. Surrounding whitespace and bare {@code \n} breaks are accepted.
     */
    static AllocationRecord parseRecord(String network, InetAddress address, String content) {
        String text = content.strip();
        if (text.isEmpty()) {
            return new AllocationRecord(network, address, null, null, "is empty");
        }
        if (text.chars().allMatch(c -> c == 0)) {
            return new AllocationRecord(network, address, null, null, "holds only zero bytes (a write a crash lost)");
        }
        String[] lines = text.split("\r?\n", -1);
        if (lines.length > 2) {
            return new AllocationRecord(network, address, null, null, "has " + lines.length + " lines, a record has one or two");
        }
        String owner = lines[0].strip();
        if (owner.isEmpty() || owner.chars().anyMatch(Character::isISOControl)) {
            return new AllocationRecord(network, address, null, null, owner.isEmpty() ? "names no owner"
                    : "holds control characters in its owner id");
        }
        if (lines.length == 1) {
            return new AllocationRecord(network, address, owner, null);
        }
        String ifName = lines[1].strip();
        try {
            IfName.of(ifName);
        } catch (InvalidInputException e) {
            return new AllocationRecord(network, address, null, null, "names no valid interface on its second line");
        }
        return new AllocationRecord(network, address, owner, ifName);
    }

    @Override
    public boolean reserve(InetAddress address, String ownerId, String ifName) {
        // Written whole into a temporary file, then linked under the address's name (link(2) refuses a name that
        // exists, as O_EXCL does): a process killed at any point leaves either no record or a whole one, never an
        // empty or cut one, which would be unreadable and so kept for good. A temporary file a killed process left
        // is swept by the next scan; host-local skips it (not an address).
        Path f = dir.resolve(IpAddresses.format(address));
        Path tmp = dir.resolve(TEMP_PREFIX + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId() + "-" + IpAddresses.format(address));
        byte[] content = (ownerId + LINE_BREAK + ifName).getBytes(StandardCharsets.UTF_8);
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE), FILE_MODE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                if (fsync) {
                    ch.force(false);
                }
            }
            try {
                Files.createLink(f, tmp);
            } catch (FileAlreadyExistsException e) {
                forget();
                return false;
            }
            noted(address, new AllocationRecord(network, address, ownerId, ifName));
            return true;
        } catch (IOException e) {
            throw fail("reserve address " + IpAddresses.format(address) + " as", f, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // swept by a later scan
            }
        }
    }

    /** Deletes a temporary record of a process that is gone (it was killed between writing and linking it). */
    private static void sweep(Path f, String name) {
        int dash = name.indexOf('-', TEMP_PREFIX.length());
        try {
            long pid = Long.parseLong(name.substring(TEMP_PREFIX.length(), dash));
            if (ProcessHandle.of(pid).isEmpty()) {
                Files.deleteIfExists(f);
            }
        } catch (RuntimeException | IOException ignored) {
            // not ours, or already gone
        }
    }

    @Override
    public boolean remove(InetAddress address) {
        Path f = dir.resolve(IpAddresses.format(address));
        try {
            boolean removed = Files.deleteIfExists(f);
            noted(address, null);
            return removed;
        } catch (IOException e) {
            throw fail("release address " + IpAddresses.format(address) + ": cannot delete", f, e);
        }
    }

    @Override
    public Optional<InetAddress> lastReserved(int rangeSet) {
        try {
            String text = Files.readString(dir.resolve(LAST_RESERVED + rangeSet), StandardCharsets.UTF_8).strip();
            return Optional.ofNullable(addressOf(text));
        } catch (IOException e) {
            return Optional.empty(); // missing or unreadable: start at the range start, as host-local does
        }
    }

    @Override
    public void setLastReserved(int rangeSet, InetAddress address) {
        try {
            Snapshot seen = SNAPSHOTS.get(dir);
            overwrite(dir.resolve(LAST_RESERVED + rangeSet), IpAddresses.format(address).getBytes(StandardCharsets.UTF_8));
            FileTime mtime = mtime();
            if (seen != null && mtime != null) { // the file may have been created: the directory changed, by us
                SNAPSHOTS.put(dir, new Snapshot(mtime, seen.records()));
            }
        } catch (IOException e) {
            throw fail("write", dir.resolve(LAST_RESERVED + rangeSet), e);
        }
    }

    /**
     * Replaces a small file's content in place: open without O_TRUNC, write at 0, then cut to the new length
     * (only ever to a non-zero length). Truncating a file with data to zero and rewriting it, as
     * {@code Files.writeString} does, makes ext4 start writeback on close (auto_da_alloc): about 2 ms per
     * allocation on the build VM, against microseconds in place. host-local reads the same bytes either way, and
     * the file is only a hint: a crash between the write and the cut may leave the tail of a longer old address
     * (10.0.0.9 over 10.0.0.10 reads 10.0.0.90 until the cut), which makes the next search start elsewhere in the
     * range, or at its start if the text is no address of it; every candidate is still checked against the records.
     */
    private void overwrite(Path f, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(f, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), FILE_MODE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf, buf.position());
            }
            ch.truncate(content.length); // a no-op unless the old content was longer
            if (fsync) {
                ch.force(false);
            }
        }
    }

    /** "failed to WHAT "PATH": why": PATH is the folder or the file the step was writing (a reservation's own file). */
    private static BackendException fail(String what, Path path, IOException e) {
        return new BackendException("failed to " + what + " \"" + path + "\": " + words(e), e);
    }

    /** An I/O failure in words, without the exception's class name. */
    public static String words(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied (run as root)";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "not an empty folder";
        }
        if (e instanceof FileSystemException f) {
            return f.getReason() != null ? f.getReason() : e instanceof NoSuchFileException ? "not found" : "file system error";
        }
        return e.getMessage() == null ? "I/O error" : e.getMessage();
    }
}

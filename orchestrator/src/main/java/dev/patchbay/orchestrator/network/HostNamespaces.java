package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetworkStack;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a network's host namespace is, seen from the namespace a command names ({@code -n}, else the current one):
 * <ul>
 * <li>{@link Where#HERE}: it is this one;</li>
 * <li>{@link Where#ELSEWHERE}: another namespace that still exists (a process or a mount holds it);</li>
 * <li>{@link Where#REPLACED}: the recorded one is gone, and this one took its place: the same name under /run/netns
 *     made again, or the machine's own namespace after a reboot (the record's {@link NetworkRecord#hostPlace}). The
 *     network is rebuilt here (its kernel side died with the old one);</li>
 * <li>{@link Where#GONE}: the recorded one is gone and nothing here took its place: nothing of the network is left in
 *     any kernel, only records, which {@code network rm} (from anywhere) and {@code gc} remove.</li>
 * </ul>
 * Whether a namespace still exists is read from its identity (boot id + cookie, never reused until a reboot) compared
 * with every namespace a process, a mount or /run/netns holds; asked only when a record does not name the namespace
 * the command runs in, and read once per command.
 */
final class HostNamespaces {
    enum Where { HERE, ELSEWHERE, REPLACED, GONE }

    private static final Pattern NAMED = Pattern.compile("namespace \"([^\"]+)\"");
    private static final Path INIT = Path.of("/proc/1/ns/net");

    private final NetworkStack stack;
    private final NetnsRef ref;
    private NetnsId here;
    private String herePlace;
    private boolean placeRead;
    private List<NetnsId> live;

    HostNamespaces(NetworkStack stack, NetnsRef ref) {
        this.stack = stack;
        this.ref = ref;
    }

    NetnsRef ref() {
        return ref;
    }

    /** The identity of the namespace the command names; NotFoundException if it does not exist. */
    NetnsId here() {
        if (here == null) {
            here = stack.identity(ref);
        }
        return here;
    }

    Where where(NetworkRecord rec) {
        if (NetnsIdentity.same(rec.hostNetns(), here())) {
            return Where.HERE;
        }
        if (alive(rec.hostNetns())) {
            return Where.ELSEWHERE;
        }
        String place = place(rec);
        if (place != null) {
            return place.equals(herePlace()) ? Where.REPLACED : Where.GONE;
        }
        // no place recorded (an earlier release's record, or a process's namespace): after a reboot, the current
        // namespace takes the place of the one it was created in as "the current namespace"
        return rebooted(rec) && ref instanceof NetnsRef.Current && "the current namespace".equals(rec.hostDescription())
                ? Where.REPLACED : Where.GONE;
    }

    /** Whether the record's namespace died with a reboot (its boot id is not this boot's). */
    boolean rebooted(NetworkRecord rec) {
        NetnsId id = parse(rec.hostNetns());
        String now = here().bootId();
        return id != null && id.bootId() != null && now != null && !id.bootId().equals(now);
    }

    /** Whether the namespace {@code recorded} names still exists: held by a process, a mount, or a name under /run/netns. */
    boolean alive(String recorded) {
        NetnsId id = parse(recorded);
        if (id == null) {
            return false;
        }
        if (id.bootId() != null && here().bootId() != null && !id.bootId().equals(here().bootId())) {
            return false; // rebooted: every namespace of that boot is gone
        }
        if (id.sameAs(here())) {
            return true;
        }
        for (NetnsId l : live()) {
            if (id.sameAs(l)) {
                return true;
            }
        }
        return false;
    }

    /** Where the namespace the command names is found again after it is gone (see {@link NetworkRecord#hostPlace}). */
    String herePlace() {
        if (!placeRead) {
            herePlace = placeOf(ref);
            placeRead = true;
        }
        return herePlace;
    }

    private String placeOf(NetnsRef r) {
        if (r instanceof NetnsRef.Named n) {
            return "netns:" + n.name();
        }
        if (r instanceof NetnsRef.AtPath p) {
            Path path = p.path().normalize();
            return NetnsRef.RUN_DIR.equals(path.getParent()) ? "netns:" + path.getFileName() : "path:" + path;
        }
        // the current namespace, or a process's: a name under /run/netns it is bound to (ip netns exec), or the machine's own
        for (Map.Entry<String, Path> e : named().entrySet()) {
            if (same(e.getValue(), here())) {
                return "netns:" + e.getKey();
            }
        }
        return same(INIT, here()) ? "init" : null;
    }

    /** The record's place, or for a record of an earlier release, the place its description names. */
    static String place(NetworkRecord rec) {
        if (rec.hostPlace() != null) {
            return rec.hostPlace();
        }
        String d = rec.hostDescription() == null ? "" : rec.hostDescription();
        Matcher m = NAMED.matcher(d);
        if (m.matches()) {
            return "netns:" + m.group(1);
        }
        if (d.startsWith("namespace at ")) {
            Path path = Path.of(d.substring("namespace at ".length())).normalize();
            return NetnsRef.RUN_DIR.equals(path.getParent()) ? "netns:" + path.getFileName() : "path:" + path;
        }
        return null;
    }

    /** The place in words, for messages: {@code namespace "h"}. */
    static String describePlace(String place) {
        if (place == null) {
            return "its namespace";
        }
        if (place.startsWith("netns:")) {
            return "namespace \"" + place.substring(6) + "\"";
        }
        return place.equals("init") ? "the machine's own namespace" : "the namespace at " + place.substring(5);
    }

    private boolean same(Path file, NetnsId id) {
        try {
            return stack.identity(NetnsRef.path(file)).sameAs(id);
        } catch (RuntimeException e) {
            return false; // gone, or not a namespace file
        }
    }

    /** Namespaces held by a name under /run/netns, a mount (nsfs, anywhere) or a process: each one once. */
    private List<NetnsId> live() {
        if (live != null) {
            return live;
        }
        Map<String, Path> byInode = new LinkedHashMap<>();
        named().values().forEach(p -> addByInode(byInode, p));
        for (Path p : nsfsMounts()) {
            addByInode(byInode, p);
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                addByInode(byInode, p.resolve("ns/net"));
            }
        } catch (IOException e) {
            // no /proc: only the names and mounts count
        }
        List<NetnsId> out = new ArrayList<>();
        for (Path p : byInode.values()) {
            try {
                out.add(stack.identity(NetnsRef.path(p)));
            } catch (RuntimeException e) {
                // gone meanwhile
            }
        }
        return live = out;
    }

    private static void addByInode(Map<String, Path> byInode, Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino");
            byInode.putIfAbsent(a.get("dev") + ":" + a.get("ino"), p);
        } catch (IOException | RuntimeException e) {
            // gone, or not readable
        }
    }

    private static Map<String, Path> named() {
        Map<String, Path> out = new LinkedHashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(NetnsRef.RUN_DIR)) {
            for (Path p : ds) {
                out.put(p.getFileName().toString(), p);
            }
        } catch (IOException e) {
            // no named namespaces
        }
        return out;
    }

    /** Mount points of namespace files (a runtime's bind mounts anywhere, e.g. /var/run/docker/netns/...). */
    private static List<Path> nsfsMounts() {
        List<Path> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                int dash = line.indexOf(" - ");
                String[] f = line.split(" ");
                if (dash > 0 && line.substring(dash + 3).startsWith("nsfs ") && f.length > 4) {
                    out.add(Path.of(f[4].replace("\\040", " ")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no mountinfo
        }
        return out;
    }

    private static NetnsId parse(String recorded) {
        try {
            return recorded == null ? null : NetnsId.parse(recorded);
        } catch (PatchbayException e) {
            return null;
        }
    }
}

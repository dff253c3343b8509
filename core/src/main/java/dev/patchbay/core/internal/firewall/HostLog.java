package dev.patchbay.core.internal.firewall;

import dev.patchbay.core.command.Json;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the state directory records for one host namespace — the chosen backend and every owner's desired
 * rules — as a log of JSON lines, {@code firewall/netns-DEV-INO.log}, read and written under the firewall lock:
 * <pre>
 * {"op":"log","gen":G,"netns":"...","identity":"DEV:INO"}   first line; G changes when the log is rewritten
 * {"op":"backend","backend":"nftables"}
 * {"op":"put","owner":"att:web/c1","rules":[...]}          an owner's rules, replacing what it had
 * {"op":"del","owner":"att:web/c1"}
 * </pre>
 * An apply appends one line to a file that exists: no new inode, no rename, whatever the number of owners.
 * A process keeps what it read and on the next call reads only what others appended since (or all of it
 * when the generation changed). When dead lines outweigh live ones the log is rewritten (temp file, rename).
 * A line a crash cut short is ignored and cut off before the next append. No fsync: what the log describes —
 * rules in a namespace — does not survive a reboot either. The port index (which owner publishes a
 * protocol/address/port) is kept in memory, from the owners' rules.
 */
final class HostLog {
    private static final int HEADER_MAX = 4096;
    private static final long COMPACT_MIN = 64 * 1024;

    /** One line of the log. */
    static final class Line {
        String op;
        Long gen;
        String netns;
        String identity;
        String backend;
        String owner;
        List<RuleJson> rules;
    }

    private final Path file;
    private final String identity;
    private String netns;
    private long gen;
    private long valid;
    private String backend;
    private final Map<String, Ruleset> owners = new TreeMap<>();
    private final Map<String, Integer> lineBytes = new HashMap<>();
    private final Map<String, String> ports = new HashMap<>();

    HostLog(Path stateDir, String identity) {
        this.file = file(stateDir, identity);
        this.identity = identity;
    }

    static Path file(Path stateDir, String identity) {
        return stateDir.resolve("firewall").resolve("netns-" + identity.replace(':', '-') + ".log");
    }

    /** Brings this view up to date with the file; the caller holds the firewall lock. */
    HostLog refresh(String netnsName) {
        this.netns = netnsName;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (gen == 0 || size < valid || headerGen(ch) != gen) {
                reset();
                readFrom(ch, 0, size);
            } else if (size > valid) {
                readFrom(ch, valid, size);
            }
        } catch (NoSuchFileException e) {
            reset();
        } catch (IOException | RuntimeException e) {
            reset();
            throw new BackendException("failed to read state file \"" + file + "\": " + e.getMessage(), e);
        }
        return this;
    }

    String backend() {
        return backend;
    }

    /** Every owner's rules, by owner id. */
    Map<String, Ruleset> owners() {
        return owners;
    }

    Ruleset owner(String id) {
        return owners.get(id);
    }

    /** The owner publishing {@code key}, or null. */
    String portHolder(String key) {
        return ports.get(key);
    }

    void backend(String name) {
        Line l = new Line();
        l.op = "backend";
        l.backend = name;
        append(l);
    }

    /** Records {@code rs} as its owner's rules; the caller checked that no other owner holds its ports. */
    void put(Ruleset rs) {
        Line l = new Line();
        l.op = "put";
        l.owner = rs.owner().id();
        l.rules = new ArrayList<>();
        for (Rule r : rs.rules()) {
            l.rules.add(RuleJson.of(r));
        }
        append(l);
    }

    void remove(String id) {
        if (!owners.containsKey(id)) {
            return;
        }
        Line l = new Line();
        l.op = "del";
        l.owner = id;
        append(l);
    }

    private void reset() {
        gen = 0;
        valid = 0;
        backend = null;
        owners.clear();
        lineBytes.clear();
        ports.clear();
    }

    private static long headerGen(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(HEADER_MAX, ch.size()));
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // a short read: read on
        }
        String head = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        int nl = head.indexOf('\n');
        if (nl < 0) {
            return -1;
        }
        Line l = Json.compact().fromJson(head.substring(0, nl), Line.class);
        return l == null || l.gen == null ? -1 : l.gen;
    }

    /** Reads the complete lines in [from, to); a last line without its newline (a crash cut it) is left unread. */
    private void readFrom(FileChannel ch, long from, long to) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(to - from));
        while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
            // a short read: read on
        }
        byte[] bytes = b.array();
        int start = 0;
        for (int i = 0; i < b.position(); i++) {
            if (bytes[i] == '\n') {
                String text = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                apply(Json.compact().fromJson(text, Line.class), i + 1 - start, from + start);
                start = i + 1;
            }
        }
        valid = from + start;
    }

    private void apply(Line l, int bytes, long at) {
        String op = l == null ? null : l.op;
        if (at == 0) {
            if (!"log".equals(op) || l.gen == null) {
                throw new BackendException("the first line is not a log header");
            }
            gen = l.gen;
            return;
        }
        switch (String.valueOf(op)) {
            case "backend" -> backend = l.backend;
            case "put" -> {
                List<Rule> rules = new ArrayList<>();
                (l.rules == null ? List.<RuleJson>of() : l.rules).forEach(j -> rules.add(j.toRule()));
                drop(l.owner);
                Ruleset rs = new Ruleset(RulesetOwner.of(l.owner), rules);
                owners.put(l.owner, rs);
                lineBytes.put(l.owner, bytes);
                rs.entries().forEach(e -> ports.put(e.key(), l.owner));
            }
            case "del" -> drop(l.owner);
            default -> throw new BackendException("unknown entry \"" + op + "\" at byte " + at);
        }
    }

    private void drop(String id) {
        Ruleset old = owners.remove(id);
        lineBytes.remove(id);
        if (old != null) {
            old.entries().forEach(e -> ports.remove(e.key(), id));
        }
    }

    private void append(Line l) {
        byte[] line = (Json.compact().toJson(l) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (gen == 0) {
                rewrite(line); // no log yet (or an empty one a crash left): start one
                return;
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                if (ch.size() != valid) {
                    ch.truncate(valid); // a line a crash cut short
                }
                writeFully(ch, line, valid);
            }
            apply(l, line.length, valid);
            valid += line.length;
            if (valid > COMPACT_MIN && valid > 4 * live()) {
                rewrite(null);
            }
        } catch (IOException e) {
            throw new BackendException("failed to write state file \"" + file + "\": " + e.getMessage(), e);
        }
    }

    private long live() {
        long n = 256;
        for (int b : lineBytes.values()) {
            n += b;
        }
        return n;
    }

    /** Writes the log anew, in a new generation: the header, the backend, every owner, then {@code extra}. */
    private void rewrite(byte[] extra) throws IOException {
        Line h = new Line();
        h.op = "log";
        h.gen = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        h.netns = netns;
        h.identity = identity;
        StringBuilder text = new StringBuilder(Json.compact().toJson(h)).append('\n');
        if (backend != null) {
            Line b = new Line();
            b.op = "backend";
            b.backend = backend;
            text.append(Json.compact().toJson(b)).append('\n');
        }
        for (Ruleset rs : owners.values()) {
            Line p = new Line();
            p.op = "put";
            p.owner = rs.owner().id();
            p.rules = new ArrayList<>();
            for (Rule r : rs.rules()) {
                p.rules.add(RuleJson.of(r));
            }
            text.append(Json.compact().toJson(p)).append('\n');
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        if (extra != null) {
            byte[] all = new byte[body.length + extra.length];
            System.arraycopy(body, 0, all, 0, body.length);
            System.arraycopy(extra, 0, all, body.length, extra.length);
            body = all;
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, body, 0);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        reset();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            readFrom(ch, 0, body.length);
        }
    }

    private static void writeFully(FileChannel ch, byte[] bytes, long at) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b, at + b.position());
        }
    }
}

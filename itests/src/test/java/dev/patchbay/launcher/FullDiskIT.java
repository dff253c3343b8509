package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A disk that fills at any write of an attach (issue 13): the state directory lives on a small tmpfs whose space is
 * cut, before each attach, to what it holds plus {@code k} pages (or {@code k} inodes), for k = 0, 1, 2, ... until
 * the attach succeeds, so each write of the attach that needs space fails in turn. The logs the attach appends to are
 * first padded with lines that change nothing (deletes of keys that were never there) so that the append under test
 * is the one that needs a new page ({@link Layout}): every log at a page boundary, or 20 bytes short of one (the
 * append is cut short); the journal one begin line short of it (its closing line then needs the page); the firewall
 * log one rules line short of it (undoing the rules needs the page); a log past the size where an append rewrites it.
 * <p>
 * After each failed attach: a clear error (one line, the file, "No space left on device", no class names), exit 1;
 * no link, rule, address, reservation or record of the container; after {@code gc} (space back) no journal entry
 * either. The attach that succeeds gets an address nobody else holds, and {@code gc} then has nothing to do but close
 * the journal entry a full disk may have left open after the attach's record (the attach stands: its record is the
 * commit point).
 */
@NetnsTest
class FullDiskIT {
    private static final String NET = "full";
    private static final int PAGE = 4096;
    private Tmpfs disk;
    private Path state;
    private Cli cli;
    private Process daemon;
    private String neighbour;
    private final List<String> seen = new ArrayList<>();

    /** How the logs are laid out before an attach: which of its appends needs the next page. */
    enum Layout {
        /** Every log at a page boundary: its first append needs a page. */
        ALIGNED,
        /** Every log 20 bytes short of a page boundary: an append that gets no page is cut short (a torn line). */
        TORN,
        /** The journal one begin line short of a page boundary: the line that closes the entry needs the page. */
        JOURNAL_AFTER_BEGIN,
        /**
         * The firewall log one line of the container's rules short of a page boundary (as long as the last it had):
         * the rules are recorded, and undoing them needs the page.
         */
        FIREWALL_AFTER_PUT,
        /** One log grown past the size where an append rewrites it whole (which needs space for the whole log). */
        COMPACT_JOURNAL, COMPACT_ATTACHMENTS, COMPACT_FIREWALL
    }

    @BeforeEach
    void disk() throws Exception {
        disk = Tmpfs.mount();
        state = disk.dir().resolve("state");
        cli = new Cli(state, Files.createTempDirectory("pb-run"));
    }

    @AfterEach
    void unmount() throws Exception {
        try {
            disk.plenty();
            cli.run("network", "rm", "--force", NET);
            if (daemon != null) {
                daemon.destroy();
                daemon.waitFor();
            }
        } finally {
            disk.close();
            seen.forEach(System.out::println);
        }
    }

    /**
     * Without a daemon (every attach a process of its own, reading the state afresh), with and without a published
     * port; between the two sweeps every write of an attach fails once.
     */
    @Test
    void fullDiskAtEachWriteOfAnAttach(Sandbox sandbox) throws Exception {
        sweepAll(sandbox, false, List.of(new Sweep(false, Layout.JOURNAL_AFTER_BEGIN), new Sweep(true, Layout.ALIGNED)));
    }

    /**
     * Through a daemon, whose views of the logs and of the IPAM folder outlive each request (and each failure): first
     * the network's first attach with no inode to spare for each file it makes, then every layout.
     */
    @Test
    void fullDiskAtEachWriteOfAnAttachThroughADaemon(Sandbox sandbox) throws Exception {
        // The daemon's drift repair (every 2 s) puts back in the kernel whatever rules the firewall record holds: also
        // those an undo removed but could not un-record (the disk was full), which gc then forgets. That is the
        // record's truth, not the request's, and races the checks below: here it waits an hour.
        daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_REPAIR_SECONDS", "3600"));
        List<Sweep> sweeps = new ArrayList<>();
        for (boolean publish : List.of(false, true)) {
            for (Layout layout : Layout.values()) {
                if (publish || !layout.name().contains("FIREWALL")) { // only a published port appends to the firewall log
                    sweeps.add(new Sweep(publish, layout));
                }
            }
        }
        sweepAll(sandbox, true, sweeps);
    }

    record Sweep(boolean publish, Layout layout) {
    }

    private void sweepAll(Sandbox sandbox, boolean inodes, List<Sweep> sweeps) throws Exception {
        String c = sandbox.netns("ctr");
        neighbour = sandbox.netns("nbr"); // a name as long as c's: its journal entry is as long as c's
        cli.run("network", "create", NET, "--subnet", "10.121.0.0/24", "--bridge", "pbfull0", "--masquerade").ok();
        if (inodes) {
            sweep(sandbox, c, false, 0, null, disk::freeInodes); // the network's first attach: each file it makes fails in turn
            detach(sandbox, c);
        }
        cli.run("attach", NET, "--netns", neighbour).ok(); // its address must never be handed out again
        int begin = lastPutLength(state.resolve("journal/" + NET + ".log"), ""); // the neighbour's begin line
        for (Sweep s : sweeps) {
            sweep(sandbox, c, s.publish(), begin, s.layout(), disk::freePages);
            if (s.publish()) {
                portSweep(sandbox, c, begin, s.layout(), "unpublish");
                portSweep(sandbox, c, begin, s.layout(), "publish"); // the detach then has rules to remove
            }
            detachSweep(sandbox, c, s.publish(), begin, s.layout());
        }
    }

    /** Attaches {@code c} with k = 0, 1, ... pages or inodes free until it succeeds, checking the invariants each time. */
    private void sweep(Sandbox sandbox, String c, boolean publish, int begin, Layout layout, LongConsumer limit)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("attach", NET, "--netns", c));
        if (publish) {
            args.addAll(List.of("--publish", "8091:80/tcp"));
        }
        for (int k = 0; k < 16; k++) {
            if (layout != null) {
                lay(layout, begin, c);
            }
            Snapshot before = snapshot(sandbox, c);
            limit.accept(k);
            Cli.Run r;
            try {
                r = cli.run(args.toArray(String[]::new));
            } finally {
                disk.plenty();
            }
            String step = (layout == null ? "inodes" : layout) + (publish ? " --publish" : "") + " k=" + k;
            if (r.code() == 0) {
                seen.add(step + ": attached");
                attached(sandbox, c, publish, before);
                Snapshot done = snapshot(sandbox, c);
                JsonObject gc = gc();
                // nothing to do, or only the journal entry a full disk kept the attach from closing (its record stands)
                List<String> recovered = ReconcileIT.strings(gc, "recovered");
                assertTrue(recovered.isEmpty() || recovered.equals(List.of("attach " + NET + "/" + c)), step + ": gc after a good attach: " + gc);
                gc.remove("recovered");
                assertTrue(nothingToDo(gc), step + ": gc after a good attach: " + gc);
                unchanged(step + ": gc keeps the attach as it is", done, snapshot(sandbox, c));
                assertEquals(Map.of(), journal(), step + ": gc closed the journal");
                seen.add(step + ": gc: " + gc);
                return;
            }
            String err = refused(step, r);
            Snapshot after = snapshot(sandbox, c);
            if (err.endsWith("patchbay gc finishes undoing it")) { // what the undo could not record stays for gc: its
                // reservation and its rules' record, not the rules nor anything else in the kernel, nor an attachment record
                unchanged(step + ": nothing of it in the kernel", before, new Snapshot(after.hostLinks(), after.containerLinks(),
                        after.rules(), after.records(), before.reservations(), before.owners()));
                assertFalse(journal().isEmpty(), step + ": the journal names it for gc");
            } else {
                unchanged(step + ": nothing of the failed attach may be left", before, after);
            }
            if (!journal().isEmpty()) {
                Cli.Run gc = cli.run("gc");
                seen.add(step + ": gc: " + gc.out().strip().replace('\n', ' '));
                assertEquals(0, gc.code(), step + ": " + gc.err() + gc.out());
                unchanged(step + ": gc makes nothing of it again", before, snapshot(sandbox, c));
                assertEquals(Map.of(), journal(), step + ": gc recovered the journal");
            }
        }
        throw new AssertionError("the attach never succeeded: " + seen);
    }

    /**
     * The error of a step the full disk refused, checked: exit 1, one line naming the file (under the state folder) and
     * "No space left on device", no class names.
     */
    private String refused(String step, Cli.Run r) {
        String err = r.err().strip();
        seen.add(step + ": " + err);
        assertEquals(1, r.code(), step + ": " + err + r.out());
        assertEquals(1, err.lines().count(), step + ": one line: " + err);
        assertTrue(err.contains("No space left on device") && err.contains(state.toString()), step + ": names the file: " + err);
        assertFalse(err.matches("(?s).*([a-z]+\\.)+[A-Z]\\w*(Exception|Error).*") || err.contains("Exception"), step + ": " + err);
        return err;
    }

    /** What the kernel and the records hold, apart from the journal. */
    record Snapshot(Set<String> hostLinks, Set<String> containerLinks, Kernel.Ruleset rules, Set<String> records,
                    Map<String, String> reservations, Set<String> owners) {
        /** What differs from {@code other}, in words. */
        String diff(Snapshot other) {
            List<String> out = new ArrayList<>();
            if (!hostLinks.equals(other.hostLinks)) {
                out.add("host links " + hostLinks + " -> " + other.hostLinks);
            }
            if (!containerLinks.equals(other.containerLinks)) {
                out.add("container links " + containerLinks + " -> " + other.containerLinks);
            }
            if (!rules.equals(other.rules)) {
                out.add("rules:\n" + String.join("\n", rules.lines()) + "\n->\n" + String.join("\n", other.rules.lines()));
            }
            if (!records.equals(other.records)) {
                out.add("attachment records " + records + " -> " + other.records);
            }
            if (!reservations.equals(other.reservations)) {
                out.add("reservations " + reservations + " -> " + other.reservations);
            }
            if (!owners.equals(other.owners)) {
                out.add("firewall owners " + owners + " -> " + other.owners);
            }
            return String.join("; ", out);
        }
    }

    private void unchanged(String step, Snapshot before, Snapshot now) {
        if (!before.equals(now)) {
            throw new AssertionError(step + ": " + before.diff(now));
        }
    }

    private Snapshot snapshot(Sandbox sandbox, String c) throws Exception {
        return new Snapshot(Kernel.links(null), Kernel.links(c), Kernel.ruleset(null), live(state.resolve("attachments/" + NET + ".log")).keySet(),
                reservations(), firewallOwners());
    }

    /** The attach that succeeded: everything it makes exists, its address is its own. */
    private void attached(Sandbox sandbox, String c, boolean publish, Snapshot before) throws Exception {
        Snapshot now = snapshot(sandbox, c);
        JsonObject record = live(state.resolve("attachments/" + NET + ".log")).get(c);
        assertTrue(record != null, "recorded: " + now);
        String address = record.getAsJsonArray("addresses").get(0).getAsString();
        String ip = address.substring(0, address.indexOf('/'));
        assertTrue(now.hostLinks().contains(record.get("hostIf").getAsString()), "its link: " + now);
        assertEquals(Set.of(address), Kernel.addresses(c, "eth0"), "its address");
        assertEquals(c, now.reservations().get(ip), "reserved for it: " + now.reservations());
        assertFalse(before.reservations().containsKey(ip), ip + " was nobody's: " + before.reservations());
        assertEquals(publish, now.rules().dports().contains(8091), "its published port: " + now.rules().lines());
        Map<String, String> held = new TreeMap<>();
        for (String ns : List.of(c, neighbour)) {
            for (String prefix : Kernel.addresses(ns, null)) {
                if (prefix.startsWith("10.121.")) {
                    String a = prefix.substring(0, prefix.indexOf('/'));
                    String other = held.put(a, ns);
                    assertTrue(other == null, a + " is held in " + other + " and in " + ns);
                }
            }
        }
    }

    /**
     * Detaches {@code c} with k = 0, 1, ... pages free until it succeeds (the logs laid out as for the attach). A failed
     * detach is one line naming the file, exit 1; it leaves the attachment whole, or partly undone and in the journal
     * (a teardown keeps going, it is not rolled back), never an address released while its record stands. gc (space
     * back) then leaves it whole or gone. The detach that succeeds leaves nothing of it.
     */
    private void detachSweep(Sandbox sandbox, String c, boolean publish, int begin, Layout layout) throws Exception {
        for (int k = 0; k < 16; k++) {
            lay(layout, begin, c);
            Snapshot before = snapshot(sandbox, c);
            String hostIf = live(state.resolve("attachments/" + NET + ".log")).get(c).get("hostIf").getAsString();
            disk.freePages(k);
            Cli.Run r;
            try {
                r = cli.run("detach", NET, "--netns", c);
            } finally {
                disk.plenty();
            }
            String step = "detach after " + layout + (publish ? " --publish" : "") + " k=" + k;
            if (r.code() == 0) {
                seen.add(step + ": detached");
                for (int i = 0; i < 100 && Kernel.links(null).contains(hostIf); i++) {
                    Thread.sleep(50);
                }
                gone(step, sandbox, c, hostIf);
                JsonObject gc = gc();
                List<String> recovered = ReconcileIT.strings(gc, "recovered");
                assertTrue(recovered.isEmpty() || recovered.size() == 1 && recovered.get(0).startsWith("detach "), step + ": gc after a good detach: " + gc);
                gc.remove("recovered");
                assertTrue(nothingToDo(gc), step + ": gc after a good detach: " + gc);
                gone(step + ", then gc", sandbox, c, hostIf);
                assertEquals(Map.of(), journal(), step + ": gc closed the journal");
                return;
            }
            String err = refused(step, r);
            if (err.startsWith("patchbay: failed to detach")) { // it began: the rest is gc's, and it says so
                assertTrue(err.endsWith("; patchbay gc finishes the detach"), step + ": " + err);
            }
            Snapshot after = snapshot(sandbox, c);
            if (!before.equals(after)) { // what it undid before the disk refused a write: gc finishes it
                assertFalse(journal().isEmpty(), step + ": a detach partly done is in the journal for gc: " + before.diff(after));
            }
            if (after.records().contains(c)) {
                assertEquals(before.reservations(), after.reservations(), step + ": no address released under a record");
            }
            Cli.Run gc = cli.run("gc");
            seen.add(step + ": gc: " + gc.out().strip().replace('\n', ' '));
            assertEquals(0, gc.code(), step + ": " + gc.err() + gc.out());
            if (!live(state.resolve("attachments/" + NET + ".log")).containsKey(c)) {
                gone(step + ": gc finished the detach", sandbox, c, hostIf);
                return;
            }
            unchanged(step + ": after gc the attachment is whole", before, snapshot(sandbox, c));
            assertEquals(Map.of(), journal(), step + ": gc recovered the journal");
        }
        throw new AssertionError("the detach never succeeded: " + seen);
    }

    /**
     * Publishes or unpublishes ({@code verb}) {@code c}'s port with k = 0, 1, ... pages free until it succeeds. A
     * failed one is one line naming the file, exit 1, and changes nothing: the port stays as it was, in the kernel and
     * in the records; or, when the disk refused putting the rules back too, it says that gc finishes, and gc puts
     * them back as recorded. The one that succeeds leaves the port as asked, and gc nothing to do.
     */
    private void portSweep(Sandbox sandbox, String c, int begin, Layout layout, String verb) throws Exception {
        boolean publish = verb.equals("publish");
        for (int k = 0; k < 16; k++) {
            lay(layout, begin, c);
            Snapshot before = snapshot(sandbox, c);
            disk.freePages(k);
            Cli.Run r;
            try {
                r = cli.run(verb, NET, "--netns", c, "8091:80/tcp");
            } finally {
                disk.plenty();
            }
            String step = verb + " after " + layout + " k=" + k;
            if (r.code() == 0) {
                seen.add(step + ": done");
                Snapshot now = snapshot(sandbox, c);
                assertEquals(publish, now.rules().dports().contains(8091), step + ": the port's rules: " + now.rules().lines());
                assertEquals(publish ? Set.of(8091) : Set.of(), hostPorts(live(state.resolve("attachments/" + NET + ".log")).get(c)), step + ": recorded");
                JsonObject gc = gc();
                assertTrue(nothingToDo(gc), step + ": gc after it: " + gc);
                unchanged(step + ": gc keeps it", now, snapshot(sandbox, c));
                return;
            }
            String err = refused(step, r);
            if (!err.endsWith("patchbay gc finishes undoing it")) { // else: the rules could not be put back as recorded either
                unchanged(step + ": a failed " + verb + " changes nothing", before, snapshot(sandbox, c));
            }
            Cli.Run gc = cli.run("gc").ok();
            unchanged(step + ": nor does gc after it", before, snapshot(sandbox, c));
            seen.add(step + ": gc: " + gc.out().strip().replace('\n', ' '));
        }
        throw new AssertionError("the " + verb + " never succeeded: " + seen);
    }

    /** Nothing of {@code c} is left: no record, reservation, firewall owner, published port or host link. */
    private void gone(String step, Sandbox sandbox, String c, String hostIf) throws Exception {
        Snapshot now = snapshot(sandbox, c);
        assertFalse(now.records().contains(c), step + ": no record: " + now.records());
        assertFalse(now.reservations().containsValue(c), step + ": no reservation: " + now.reservations());
        assertFalse(now.owners().stream().anyMatch(o -> o.contains("/" + c)), step + ": no rules' owner: " + now.owners());
        assertFalse(now.rules().dports().contains(8091), step + ": no published port: " + now.rules().lines());
        assertFalse(now.hostLinks().contains(hostIf), step + ": no host link: " + now.hostLinks());
    }

    /** Detaches {@code c} and waits for its link to go (a daemon deletes it in the background). */
    private void detach(Sandbox sandbox, String c) throws Exception {
        String hostIf = live(state.resolve("attachments/" + NET + ".log")).get(c).get("hostIf").getAsString();
        cli.run("detach", NET, "--netns", c).ok();
        for (int i = 0; i < 100 && Kernel.links(null).contains(hostIf); i++) {
            Thread.sleep(50);
        }
    }

    /** {@code gc -o json}, which must exit 0: its report. */
    private JsonObject gc() {
        return JsonParser.parseString(cli.run("-o", "json", "gc").ok().out()).getAsJsonObject();
    }

    /** A gc report with nothing in it: every list of what it did is empty. */
    private static boolean nothingToDo(JsonObject gc) {
        return gc.entrySet().stream().allMatch(e -> e.getValue().isJsonArray() && e.getValue().getAsJsonArray().isEmpty());
    }

    /** The host ports an attachment record publishes. */
    private static Set<Integer> hostPorts(JsonObject record) {
        Set<Integer> out = new TreeSet<>();
        if (record.has("ports")) {
            for (var p : record.getAsJsonArray("ports")) { // [HOST_IP:]HOST_PORTS:CONTAINER_PORTS/PROTO, ports N or N-M
                String[] parts = p.getAsString().replaceAll("/.*", "").split(":");
                String[] range = parts[parts.length - 2].split("-");
                for (int port = Integer.parseInt(range[0]); port <= Integer.parseInt(range[range.length - 1]); port++) {
                    out.add(port);
                }
            }
        }
        return out;
    }

    /** Pads each log so that the append the layout aims at needs a new page (see the class comment). */
    private void lay(Layout layout, int begin, String c) throws Exception {
        List<Path> logs = new ArrayList<>(List.of(state.resolve("journal/" + NET + ".log"), state.resolve("attachments/" + NET + ".log")));
        try (Stream<Path> fw = Files.list(state.resolve("firewall"))) {
            fw.filter(p -> p.toString().endsWith(".log")).forEach(logs::add);
        }
        for (Path log : logs) {
            if (!Files.exists(log)) {
                continue;
            }
            // a line a failed append cut short stays last, as that append left it: the next one starts where it starts
            byte[] text = Files.readAllBytes(log);
            int whole = text.length;
            while (whole > 0 && text[whole - 1] != '\n') {
                whole--;
            }
            String folder = log.getParent().getFileName().toString();
            long len;
            if (layout.name().startsWith("COMPACT_")) {
                if (!layout.name().equals("COMPACT_" + folder.toUpperCase(java.util.Locale.ROOT))) {
                    continue;
                }
                len = Math.max(0, 70_000 - whole) + 64;
            } else {
                int tail = layout == Layout.TORN ? 20 : layout == Layout.JOURNAL_AFTER_BEGIN && folder.equals("journal") ? begin
                        : layout == Layout.FIREWALL_AFTER_PUT && folder.equals("firewall") ? lastPutLength(log, "owner:att:" + NET + "/" + c) : 0;
                len = Math.floorMod(-whole - tail, PAGE);
                len += len < 40 ? PAGE : 0;
            }
            String pad = "{\"op\":\"del\",\"key\":\"pad-" + "x".repeat((int) len - 26) + "\"}\n";
            try (var out = Files.newOutputStream(log, StandardOpenOption.WRITE)) {
                out.write(text, 0, whole);
                out.write(pad.getBytes(StandardCharsets.UTF_8));
                out.write(text, whole, text.length - whole);
            }
        }
    }

    /** The length of the last line that puts a key holding {@code key}, with its newline. */
    private static int lastPutLength(Path log, String key) throws Exception {
        int len = 0;
        for (String line : Files.readAllLines(log)) {
            if (line.contains("\"op\":\"put\"") && line.contains("\"key\":\"" + key)) {
                len = line.getBytes(StandardCharsets.UTF_8).length + 1;
            }
        }
        return len;
    }

    /** Address -> owner of every reservation of the network. */
    private Map<String, String> reservations() throws Exception {
        Map<String, String> out = new TreeMap<>();
        Path dir = state.resolve("ipam/" + NET);
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.matches("[0-9.]+")) {
                    out.put(name, Files.readString(f).split("\r\n")[0]);
                }
            }
        }
        return out;
    }

    private Set<String> firewallOwners() throws Exception {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> fw = Files.list(state.resolve("firewall"))) {
            for (Path log : fw.filter(p -> p.toString().endsWith(".log")).toList()) {
                out.addAll(live(log).keySet());
            }
        }
        return out;
    }

    private Map<String, JsonObject> journal() throws Exception {
        Map<String, JsonObject> out = new TreeMap<>(live(state.resolve("journal/" + NET + ".log")));
        try (Stream<Path> files = Files.list(state.resolve("journal"))) {
            files.filter(p -> p.toString().endsWith(".json")).forEach(p -> out.put(p.toString(), new JsonObject()));
        }
        return out;
    }

    /** The live values of a state log; a line cut short (a write the full disk stopped) is skipped. */
    private static Map<String, JsonObject> live(Path log) throws Exception {
        Map<String, JsonObject> out = new TreeMap<>();
        if (!Files.exists(log)) {
            return out;
        }
        String text = Files.readString(log);
        for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            JsonObject l = JsonParser.parseString(line).getAsJsonObject();
            switch (l.get("op").getAsString()) {
                case "put" -> out.put(l.get("key").getAsString(), l.get("value").isJsonObject() ? l.getAsJsonObject("value") : new JsonObject());
                case "del" -> out.remove(l.get("key").getAsString());
                default -> { }
            }
        }
        return out;
    }
}

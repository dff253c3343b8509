package dev.patchbay.firewall.host;

import com.google.gson.reflect.TypeToken;
import dev.patchbay.state.Json;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.state.StateLog;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the state directory records for one host namespace — the chosen backend and every owner's desired
 * rules — as a {@link StateLog}, {@code firewall/netns-BOOTID-COOKIE.log}, written under the firewall lock:
 * key {@code backend} holds the backend's name, key {@code owner:ID} one owner's rules. So an apply appends
 * one line, whatever the number of owners. A service's backends ({@link Rule.Balance}) are kept apart, one key
 * each ({@code lb:I:ID|ADDRESS PORT} for the owner's I-th balance, valued by its place in the list), and an apply
 * writes only the lines that change: one backend more or less is one short line, whatever the number of the
 * others (a balance of before, its backends in its owner's line, is read as it is and split at its next apply).
 * The port index (which owner publishes a protocol/address/port) is kept in memory, from the owners' rules.
 */
final class HostLog {
    private static final String BACKEND = "backend";
    private static final String OWNER = "owner:";
    private static final String APART = "lb:";
    private static final Type RULES = new TypeToken<List<RuleJson>>() { }.getType();

    private final Map<String, String> header = new LinkedHashMap<>();
    private final StateLog log;
    private String backend;
    private final Map<String, Ruleset> owners = new TreeMap<>();
    private final Map<String, String> ports = new HashMap<>();
    /** Each owner's line as read (canonical JSON) and parsed; its backends kept apart, by key; owners to assemble again. */
    private final Map<String, String> lines = new HashMap<>();
    private final Map<String, List<RuleJson>> parsed = new HashMap<>();
    private final Map<String, Map<String, Apart>> apart = new HashMap<>();
    private final java.util.Set<String> dirty = new java.util.HashSet<>();

    /** A backend kept apart: of the owner's {@code balance}-th balance, at place {@code seq}. */
    private record Apart(int balance, long seq, Rule.Balance.Backend backend) {
    }

    HostLog(Path stateDir, String identity) {
        header.put("identity", identity);
        this.log = new StateLog(file(stateDir, identity), header, new Index());
    }

    static Path file(Path stateDir, String identity) {
        return stateDir.resolve("firewall").resolve("netns-" + identity.replace(':', '-').replace('/', '-') + ".log");
    }

    /**
     * Brings this view up to date with the file, as far as it is readable; the caller holds the firewall lock. What
     * cannot be read is in {@link #damage()}; a last line cut short (a writer that died mid-append, or one appending)
     * in {@link #torn()}.
     */
    HostLog refresh(String netnsName) {
        header.put("netns", netnsName);
        log.refreshReadable();
        return this;
    }

    Path file() {
        return log.file();
    }

    /** The lines that cannot be read, in words ({@code line 4 is not valid JSON ...}); empty when the log is whole. */
    List<String> damage() {
        List<String> out = new ArrayList<>();
        log.damage().forEach(d -> out.add(d.what()));
        return out;
    }

    /**
     * Whether this view may lack an owner the kernel holds: a damaged line, or a last line cut short (it may have been
     * an owner's rules, recorded before they were applied; the next append cuts it off). Then removing an owner that
     * is not recorded still asks the backend.
     */
    boolean doubtful() {
        return log.torn() > 0 || !log.damage().isEmpty();
    }

    /** Rewrites a damaged log from its readable lines, keeping the damaged file beside it; the copy, or null if whole. */
    Path repair() {
        return log.repair();
    }

    /** Forgets the backend and every owner, and deletes the file (a namespace that is gone: nothing of it is left). */
    void forgetAll() {
        java.util.Set<String> all = new java.util.TreeSet<>(lines.keySet());
        all.addAll(apart.keySet()); // and backends whose owner's line is gone
        for (String id : all) {
            remove(id);
        }
        if (backend != null) {
            log.remove(BACKEND);
        }
        log.deleteIfEmpty();
    }

    String backend() {
        return backend;
    }

    /** Every owner's rules, by owner id. */
    Map<String, Ruleset> owners() {
        assemble();
        return owners;
    }

    Ruleset owner(String id) {
        assemble();
        return owners.get(id);
    }

    /** The owner publishing {@code key}, or null. */
    String portHolder(String key) {
        assemble();
        return ports.get(key);
    }

    void backend(String name) {
        log.put(BACKEND, Json.compact().toJson(name));
    }

    /**
     * Records {@code rs} as its owner's rules, writing only what changed: the balances' backends new, moved or gone, the
     * owner's line if anything else changed. The caller checked that no other owner holds its ports.
     */
    void put(Ruleset rs) {
        String id = rs.owner().id();
        List<RuleJson> rules = new ArrayList<>();
        Map<String, Apart> held = new HashMap<>(apart.getOrDefault(id, Map.of()));
        long next = held.values().stream().mapToLong(Apart::seq).max().orElse(0) + 1;
        int balance = 0;
        for (Rule r : rs.rules()) {
            if (!(r instanceof Rule.Balance b)) {
                rules.add(RuleJson.of(r));
                continue;
            }
            rules.add(RuleJson.of(new Rule.Balance(b.vip(), b.protocol(), b.port(), List.of(), b.mode(), b.affinitySeconds())));
            long last = 0;
            for (Rule.Balance.Backend x : b.backends()) {
                String key = apartKey(id, balance, x);
                Apart a = held.remove(key);
                if (a == null || a.seq() <= last) { // new, or out of its order
                    a = new Apart(balance, next++, x);
                    log.put(key, Long.toString(a.seq()));
                }
                last = a.seq();
            }
            balance++;
        }
        for (String gone : held.keySet()) {
            log.remove(gone);
        }
        String line = Json.compact().toJson(rules);
        if (!com.google.gson.JsonParser.parseString(line).toString().equals(lines.get(id))) {
            log.put(OWNER + id, line);
        }
    }

    /** Forgets owner {@code id}: its backends' lines, then its own. */
    void remove(String id) {
        for (String k : new ArrayList<>(apart.getOrDefault(id, Map.of()).keySet())) {
            log.remove(k);
        }
        log.remove(OWNER + id);
    }

    private static String apartKey(String id, int balance, Rule.Balance.Backend b) {
        return APART + balance + ":" + id + "|" + dev.patchbay.core.model.IpAddresses.format(b.address()) + " " + b.port();
    }

    /** The owners whose lines changed, as rules: each balance's backends in its line (a record of before) but those kept apart too, then those apart in order. */
    private void assemble() {
        for (String id : dirty) {
            List<RuleJson> stored = parsed.get(id);
            drop(id);
            if (stored == null) {
                continue; // backends whose owner's line is gone (a removal cut short): no rules
            }
            Map<String, Apart> own = apart.getOrDefault(id, Map.of());
            List<Rule> rules = new ArrayList<>();
            try {
                int balance = 0;
                for (RuleJson j : stored) {
                    Rule r = j.toRule();
                    if (r instanceof Rule.Balance b) {
                        int i = balance++;
                        List<Rule.Balance.Backend> bs = new ArrayList<>();
                        b.backends().stream().filter(x -> !own.containsKey(apartKey(id, i, x))).forEach(bs::add);
                        own.values().stream().filter(a -> a.balance() == i).sorted((x, y) -> Long.compare(x.seq(), y.seq()))
                                .forEach(a -> bs.add(a.backend()));
                        r = new Rule.Balance(b.vip(), b.protocol(), b.port(), bs, b.mode(), b.affinitySeconds());
                    }
                    rules.add(r);
                }
            } catch (RuntimeException unreadable) {
                rules.clear(); // recorded, though its rules cannot be read: removing it still asks the backend
            }
            Ruleset rs = new Ruleset(RulesetOwner.of(id), rules);
            owners.put(id, rs);
            rs.entries().forEach(e -> ports.put(e.key(), id));
        }
        dirty.clear();
    }

    /** The typed view of the log: told of every change, in order; owners are assembled when next asked for. */
    private final class Index implements StateLog.Listener {
        @Override
        public void reset() {
            backend = null;
            owners.clear();
            ports.clear();
            lines.clear();
            parsed.clear();
            apart.clear();
            dirty.clear();
        }

        @Override
        public void put(String key, String json) {
            if (key.equals(BACKEND)) {
                backend = Json.compact().fromJson(json, String.class);
            } else if (key.startsWith(OWNER)) {
                String id = key.substring(OWNER.length());
                List<RuleJson> stored;
                try {
                    stored = Json.compact().fromJson(json, RULES);
                } catch (RuntimeException unreadable) {
                    stored = null;
                }
                lines.put(id, json);
                parsed.put(id, stored == null ? new ArrayList<>(List.of(new RuleJson())) : stored); // unreadable: a rule of no type
                dirty.add(id);
            } else if (key.startsWith(APART)) {
                int colon = key.indexOf(':', APART.length());
                int bar = key.lastIndexOf('|');
                String id = key.substring(colon + 1, bar);
                String[] w = key.substring(bar + 1).split(" ");
                Apart a = new Apart(Integer.parseInt(key.substring(APART.length(), colon)), Long.parseLong(json),
                        new Rule.Balance.Backend(dev.patchbay.core.model.IpAddresses.parse("backend", w[0]), Integer.parseInt(w[1])));
                apart.computeIfAbsent(id, k -> new HashMap<>()).put(key, a);
                dirty.add(id);
            }
        }

        @Override
        public void remove(String key) {
            if (key.equals(BACKEND)) {
                backend = null;
            } else if (key.startsWith(OWNER)) {
                String id = key.substring(OWNER.length());
                lines.remove(id);
                parsed.remove(id);
                dirty.add(id);
            } else if (key.startsWith(APART)) {
                String id = key.substring(key.indexOf(':', APART.length()) + 1, key.lastIndexOf('|'));
                Map<String, Apart> of = apart.get(id);
                if (of != null) {
                    of.remove(key);
                }
                dirty.add(id);
            }
        }
    }

    private void drop(String id) {
        Ruleset old = owners.remove(id);
        if (old != null) {
            old.entries().forEach(e -> ports.remove(e.key(), id));
        }
    }
}

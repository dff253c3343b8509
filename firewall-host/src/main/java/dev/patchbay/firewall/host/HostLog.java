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
 * one line, whatever the number of owners. The port index (which owner publishes a protocol/address/port)
 * is kept in memory, from the owners' rules.
 */
final class HostLog {
    private static final String BACKEND = "backend";
    private static final String OWNER = "owner:";
    private static final Type RULES = new TypeToken<List<RuleJson>>() { }.getType();

    private final Map<String, String> header = new LinkedHashMap<>();
    private final StateLog log;
    private String backend;
    private final Map<String, Ruleset> owners = new TreeMap<>();
    private final Map<String, String> ports = new HashMap<>();

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
        for (String id : new ArrayList<>(owners.keySet())) {
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
        log.put(BACKEND, Json.compact().toJson(name));
    }

    /** Records {@code rs} as its owner's rules; the caller checked that no other owner holds its ports. */
    void put(Ruleset rs) {
        List<RuleJson> rules = new ArrayList<>();
        for (Rule r : rs.rules()) {
            rules.add(RuleJson.of(r));
        }
        log.put(OWNER + rs.owner().id(), Json.compact().toJson(rules));
    }

    void remove(String id) {
        log.remove(OWNER + id);
    }

    /** The typed view of the log: told of every change, in order. */
    private final class Index implements StateLog.Listener {
        @Override
        public void reset() {
            backend = null;
            owners.clear();
            ports.clear();
        }

        @Override
        public void put(String key, String json) {
            if (key.equals(BACKEND)) {
                backend = Json.compact().fromJson(json, String.class);
            } else if (key.startsWith(OWNER)) {
                String id = key.substring(OWNER.length());
                List<Rule> rules = new ArrayList<>();
                try {
                    List<RuleJson> stored = Json.compact().fromJson(json, RULES);
                    (stored == null ? List.<RuleJson>of() : stored).forEach(j -> rules.add(j.toRule()));
                } catch (RuntimeException unreadable) {
                    rules.clear(); // recorded, though its rules cannot be read: removing it still asks the backend
                }
                drop(id);
                Ruleset rs = new Ruleset(RulesetOwner.of(id), rules);
                owners.put(id, rs);
                rs.entries().forEach(e -> ports.put(e.key(), id));
            }
        }

        @Override
        public void remove(String key) {
            if (key.equals(BACKEND)) {
                backend = null;
            } else if (key.startsWith(OWNER)) {
                String id = key.substring(OWNER.length());
                drop(id);
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

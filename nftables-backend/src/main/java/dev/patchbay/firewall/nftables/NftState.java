package dev.patchbay.firewall.nftables;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What table {@code inet patchbay} holds: chains, maps, each owner's rule handles and map elements. */
final class NftState {
    boolean table;
    final Set<String> chains = new HashSet<>();
    final Set<String> maps = new HashSet<>();
    int userRules;
    /** Handles of the fixed rules (no owner's comment), by chain. */
    final Map<String, List<Long>> fixed = new HashMap<>();
    final Map<String, List<RuleRef>> rules = new HashMap<>();
    /** By {@code map|key}. */
    final Map<String, NftRenderer.Element> elements = new HashMap<>();
    final Map<String, Set<String>> elementsByOwner = new HashMap<>();

    record RuleRef(String chain, long handle) {
    }

    static String id(NftRenderer.Element e) {
        return e.map() + "|" + e.key();
    }

    boolean skeleton() {
        return chains.contains("filter-fwd");
    }

    /**
     * The whole of the table's own part: every chain and map, and each chain's fixed rules (the jumps from the base
     * chains, the ports lookups, the raw 127/8 drop) as many as {@link NftRenderer#skeleton} makes.
     */
    boolean whole() {
        if (!table || !chains.containsAll(NftRenderer.CHAINS) || !chains.contains(NftRenderer.USER_CHAIN) || !maps.containsAll(NftRenderer.MAPS)) {
            return false;
        }
        Map<String, Integer> want = new HashMap<>();
        NftRenderer.fixedRules().forEach(r -> want.merge(NftRenderer.chainOf(r), 1, Integer::sum));
        for (Map.Entry<String, Integer> e : want.entrySet()) {
            if (fixed.getOrDefault(e.getKey(), List.of()).size() != e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Whether the table holds {@code rs} whole: as many rules in each chain as it renders, and exactly its elements. */
    boolean holds(dev.patchbay.core.firewall.Ruleset rs) {
        String owner = rs.owner().id();
        Map<String, Integer> want = new HashMap<>();
        NftRenderer.rules(rs).forEach(r -> want.merge(NftRenderer.chainOf(r), 1, Integer::sum));
        Map<String, Integer> have = new HashMap<>();
        rules.getOrDefault(owner, List.of()).forEach(r -> have.merge(r.chain(), 1, Integer::sum));
        if (!want.equals(have)) {
            return false;
        }
        List<NftRenderer.Element> elements = NftBalance.keepSlots(NftRenderer.elements(rs), elementsOf(owner));
        for (NftRenderer.Element e : elements) {
            NftRenderer.Element held = this.elements.get(id(e));
            if (held == null || !held.owner().equals(owner) || !held.value().equals(e.value())) {
                return false;
            }
        }
        return elementsOf(owner).size() == elements.size();
    }

    Set<String> owners() {
        Set<String> all = new TreeSet<>(rules.keySet());
        all.addAll(elementsByOwner.keySet());
        return all;
    }

    List<NftRenderer.Element> elementsOf(String owner) {
        List<NftRenderer.Element> out = new ArrayList<>();
        for (String id : elementsByOwner.getOrDefault(owner, Set.of())) {
            out.add(elements.get(id));
        }
        return out;
    }

    void addElement(NftRenderer.Element e) {
        elements.put(id(e), e);
        elementsByOwner.computeIfAbsent(e.owner(), k -> new LinkedHashSet<>()).add(id(e));
    }

    void removeElement(NftRenderer.Element e) {
        elements.remove(id(e));
        Set<String> s = elementsByOwner.get(e.owner());
        if (s != null) {
            s.remove(id(e));
            if (s.isEmpty()) {
                elementsByOwner.remove(e.owner());
            }
        }
    }

    /** Parses {@code nft -j list table inet patchbay}; null or blank input: no table. */
    static NftState parse(String json) {
        NftState s = new NftState();
        if (json == null || json.isBlank()) {
            return s;
        }
        JsonArray items = JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("nftables");
        for (JsonElement item : items) {
            JsonObject o = item.getAsJsonObject();
            if (o.has("table")) {
                s.table = true;
            } else if (o.has("chain")) {
                s.chains.add(o.getAsJsonObject("chain").get("name").getAsString());
            } else if (o.has("map")) {
                s.parseMap(o.getAsJsonObject("map"));
            } else if (o.has("rule")) {
                JsonObject r = o.getAsJsonObject("rule");
                String chain = r.get("chain").getAsString();
                if (chain.equals(NftRenderer.USER_CHAIN)) {
                    s.userRules++;
                } else if (r.has("comment")) {
                    s.rules.computeIfAbsent(r.get("comment").getAsString(), k -> new ArrayList<>())
                            .add(new RuleRef(chain, r.get("handle").getAsLong()));
                } else {
                    s.fixed.computeIfAbsent(chain, k -> new ArrayList<>()).add(r.get("handle").getAsLong());
                }
            }
        }
        return s;
    }

    private void parseMap(JsonObject m) {
        String name = m.get("name").getAsString();
        maps.add(name);
        if (!m.has("elem")) {
            return;
        }
        for (JsonElement pair : m.getAsJsonArray("elem")) {
            JsonArray kv = pair.getAsJsonArray();
            JsonElement key = kv.get(0);
            String comment = null;
            if (key.isJsonObject() && key.getAsJsonObject().has("elem")) {
                JsonObject el = key.getAsJsonObject().getAsJsonObject("elem");
                comment = el.has("comment") ? el.get("comment").getAsString() : null;
                key = el.get("val");
            }
            if (comment == null) {
                continue; // not ours: every element Patchbay adds carries its owner
            }
            addElement(new NftRenderer.Element(name, text(key), text(kv.get(1)), comment));
        }
    }

    private static String text(JsonElement e) {
        if (e.isJsonObject() && e.getAsJsonObject().has("concat")) {
            List<String> parts = new ArrayList<>();
            for (JsonElement p : e.getAsJsonObject().getAsJsonArray("concat")) {
                parts.add(text(p));
            }
            return String.join(" . ", parts);
        }
        return e.getAsString();
    }

    /**
     * Handles of rules added by an echoed transaction: {@code add rule inet patchbay CHAIN ... comment "OWNER" # handle N} (or
     * {@code insert rule}).
     */
    static Map<String, List<RuleRef>> echoedRules(String echo) {
        Map<String, List<RuleRef>> out = new LinkedHashMap<>();
        for (String line : echo.split("\n")) {
            line = line.strip();
            String prefix = (line.startsWith("insert rule ") ? "insert rule " : "add rule ") + NftRenderer.T + " ";
            int h = line.lastIndexOf("# handle ");
            int c = line.lastIndexOf(" comment \"");
            if (!line.startsWith(prefix) || h < 0 || c < 0) {
                continue;
            }
            String chain = line.substring(prefix.length(), line.indexOf(' ', prefix.length()));
            String owner = line.substring(c + 10, line.indexOf('"', c + 10));
            long handle = Long.parseLong(line.substring(h + 9).strip());
            out.computeIfAbsent(owner, k -> new ArrayList<>()).add(new RuleRef(chain, handle));
        }
        return out;
    }
}

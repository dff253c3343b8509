package dev.patchbay.dns;

import dev.patchbay.core.model.IpAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A named namespace's {@code /etc/netns/NAME/resolv.conf}, which {@code ip netns exec} mounts over /etc/resolv.conf
 * (iproute2's convention): the DNS servers of the networks it is attached to. Patchbay's file says so on its first line
 * and keeps one comment line per network, from which it is written again as networks come and go; a file of anyone
 * else's is left alone. The text functions are pure.
 */
final class ResolvConf {
    /** Where iproute2 looks for a named namespace's own /etc files. */
    static final Path ETC_NETNS = Path.of("/etc/netns");
    static final String MARK = "# Written by Patchbay for the networks below; removed when the namespace leaves the last of them.";
    private static final String NETWORK = "# network ";

    /** One network's part: its servers (its gateways) and its domain. */
    record Entry(String network, List<InetAddress> servers, String domain) {
        Entry {
            servers = List.copyOf(servers);
        }

        String line() {
            return NETWORK + network + ": " + String.join(" ", servers.stream().map(IpAddresses::format).toList()) + "; search " + domain;
        }

        static Entry parse(String line) {
            String rest = line.substring(NETWORK.length());
            int colon = rest.indexOf(": ");
            int search = rest.indexOf("; search ");
            if (colon < 0 || search < colon) {
                return null;
            }
            List<InetAddress> servers = new ArrayList<>();
            for (String s : rest.substring(colon + 2, search).split(" ")) {
                if (!s.isEmpty()) {
                    servers.add(IpAddresses.parse("nameserver", s));
                }
            }
            return new Entry(rest.substring(0, colon), servers, rest.substring(search + 9).strip());
        }
    }

    private ResolvConf() {
    }

    /** Whether {@code text} is Patchbay's (null, no file, counts as Patchbay's to write). */
    static boolean ours(String text) {
        return text == null || text.startsWith(MARK + "\n");
    }

    /** The entries of Patchbay's file, in order. */
    static List<Entry> entries(String text) {
        List<Entry> out = new ArrayList<>();
        if (text != null && ours(text)) {
            for (String line : text.split("\n")) {
                Entry e = line.startsWith(NETWORK) ? Entry.parse(line) : null;
                if (e != null) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** The file with {@code e} in place of any entry of its network (added last when new). */
    static String with(String text, Entry e) {
        List<Entry> all = new ArrayList<>(entries(text));
        int at = indexOf(all, e.network());
        if (at >= 0) {
            all.set(at, e);
        } else {
            all.add(e);
        }
        return render(all);
    }

    /** The file without network {@code network}'s entry; null when no entry is left (the file goes). */
    static String without(String text, String network) {
        List<Entry> all = new ArrayList<>(entries(text));
        int at = indexOf(all, network);
        if (at >= 0) {
            all.remove(at);
        }
        return all.isEmpty() ? null : render(all);
    }

    private static int indexOf(List<Entry> all, String network) {
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).network().equals(network)) {
                return i;
            }
        }
        return -1;
    }

    /** The entries as a resolv.conf: each network's servers in order (the C library asks at most the first three), the domains searched. */
    static String render(List<Entry> entries) {
        StringBuilder b = new StringBuilder(MARK).append('\n');
        Set<String> servers = new LinkedHashSet<>();
        Set<String> domains = new LinkedHashSet<>();
        for (Entry e : entries) {
            b.append(e.line()).append('\n');
            e.servers().forEach(s -> servers.add(IpAddresses.format(s)));
            domains.add(e.domain());
        }
        servers.forEach(s -> b.append("nameserver ").append(s).append('\n'));
        b.append("search ").append(String.join(" ", domains)).append('\n');
        return b.toString();
    }

    /** Adds {@code e} to namespace {@code name}'s file under {@code etcNetns}; false when the file is someone else's (left alone). */
    static synchronized boolean add(Path etcNetns, String name, Entry e) throws IOException {
        Path file = etcNetns.resolve(name).resolve("resolv.conf");
        String text = read(file);
        if (!ours(text)) {
            return false;
        }
        Files.createDirectories(file.getParent());
        write(file, with(text, e));
        return true;
    }

    /** Takes network {@code network}'s entry out of namespace {@code name}'s file: the file (and its folder, if empty) go with the last. */
    static synchronized void remove(Path etcNetns, String name, String network) throws IOException {
        Path file = etcNetns.resolve(name).resolve("resolv.conf");
        String text = read(file);
        if (text == null || !ours(text) || entries(text).stream().noneMatch(x -> x.network().equals(network))) {
            return;
        }
        String rest = without(text, network);
        if (rest != null) {
            write(file, rest);
            return;
        }
        Files.deleteIfExists(file);
        try {
            Files.deleteIfExists(file.getParent());
        } catch (DirectoryNotEmptyException others) {
            // the namespace's other /etc files stay
        }
    }

    /** Whether namespace {@code name}'s file is Patchbay's and lists {@code network}; an unreadable file says no. */
    static boolean lists(Path etcNetns, String name, String network) {
        try {
            return entries(read(etcNetns.resolve(name).resolve("resolv.conf"))).stream().anyMatch(e -> e.network().equals(network));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String read(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    }

    /** Written beside, then moved over: a reader sees the old file or the new one. */
    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(".resolv.conf.patchbay-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId());
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

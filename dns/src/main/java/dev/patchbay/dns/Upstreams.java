package dev.patchbay.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;

/**
 * Where names that are not a network's own go: the resolvers of the host namespace's /etc/resolv.conf (the daemon's),
 * read again whenever the file changes, never one of the addresses Patchbay's own servers listen on.
 */
final class Upstreams {
    static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    private final Path file;
    private String seen;
    private Resolver resolver;

    Upstreams(Path file) {
        this.file = file;
    }

    /** The {@code nameserver} addresses of a resolv.conf, in order, leaving out {@code own}. Pure. */
    static List<InetAddress> nameservers(String text, Collection<InetAddress> own) {
        List<InetAddress> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] w = line.strip().split("\\s+");
            if (w.length >= 2 && w[0].equals("nameserver") && w[1].matches("[0-9A-Fa-f.:]+")) {
                try {
                    InetAddress a = InetAddress.getByName(w[1]); // a literal: no lookup
                    if (!own.contains(a) && !out.contains(a)) {
                        out.add(a);
                    }
                } catch (UnknownHostException bad) {
                    // not an address: skipped, as the C library does
                }
            }
        }
        return out;
    }

    /** The upstreams' answer to {@code query} (its id kept), or SERVFAIL when there is none or none answers. */
    Message forward(Message query, Collection<InetAddress> own) {
        Resolver r = resolver(own);
        if (r != null) {
            try {
                Message answer = r.send(query);
                answer.getHeader().setID(query.getHeader().getID());
                return answer;
            } catch (IOException | RuntimeException e) {
                // SERVFAIL below
            }
        }
        Message fail = Zone.reply(query, Rcode.SERVFAIL);
        fail.getHeader().unsetFlag(Flags.AA);
        return fail;
    }

    private synchronized Resolver resolver(Collection<InetAddress> own) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        }
        String key = text + own; // a gateway of Patchbay's own is never an upstream
        if (!key.equals(seen)) {
            seen = key;
            List<Resolver> all = new ArrayList<>();
            for (InetAddress a : nameservers(text, own)) {
                SimpleResolver s = new SimpleResolver(new InetSocketAddress(a, 53));
                s.setTimeout(Duration.ofSeconds(2));
                all.add(s);
            }
            if (all.isEmpty()) {
                resolver = null;
            } else {
                ExtendedResolver e = new ExtendedResolver(all);
                e.setTimeout(Duration.ofSeconds(2));
                e.setRetries(1);
                resolver = e;
            }
        }
        return resolver;
    }
}

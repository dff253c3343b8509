package dev.patchbay.dns;

import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * What one network's server answers itself: the names of its containers (each name, and NAME.DOMAIN), A and AAAA, and
 * NXDOMAIN for any other name in its domain. Anything else is not its to answer ({@link #answer} returns null): the
 * server forwards it. Pure.
 */
record Zone(String network, String domain, Map<String, List<InetAddress>> names) {
    /** Seconds a client may keep an answer: containers come and go. */
    static final long TTL = 5;

    Zone {
        names = Map.copyOf(names);
    }

    /** The zone of a network and its attachments (names held by several attachments answer with all their addresses). */
    static Zone of(NetworkConfig config, List<Attachment> attachments) {
        Map<String, List<InetAddress>> names = new LinkedHashMap<>();
        for (Attachment a : attachments) {
            for (String n : Names.of(a)) {
                names.computeIfAbsent(n, k -> new ArrayList<>()).addAll(Names.addresses(a));
            }
        }
        return new Zone(config.name(), Names.domain(config), names);
    }

    /** The answer to {@code query}, or null when the name is not this zone's (forward it). */
    Message answer(Message query) {
        Record q = query.getQuestion();
        if (query.getHeader().getOpcode() != Opcode.QUERY || q == null) {
            return reply(query, Rcode.NOTIMP);
        }
        String name = q.getName().toString(true).toLowerCase(Locale.ROOT);
        String label;
        if (name.equals(domain)) {
            return reply(query, Rcode.NOERROR);
        } else if (name.endsWith("." + domain)) {
            label = name.substring(0, name.length() - domain.length() - 1);
        } else if (names.containsKey(name)) {
            label = name; // a bare container name
        } else {
            return null;
        }
        List<InetAddress> addresses = names.get(label);
        if (addresses == null) {
            return reply(query, Rcode.NXDOMAIN);
        }
        Message r = reply(query, Rcode.NOERROR);
        for (InetAddress a : addresses) {
            Name owner = q.getName();
            if (a instanceof Inet4Address v4 && (q.getType() == Type.A || q.getType() == Type.ANY)) {
                r.addRecord(new ARecord(owner, DClass.IN, TTL, v4), Section.ANSWER);
            } else if (a instanceof Inet6Address v6 && (q.getType() == Type.AAAA || q.getType() == Type.ANY)) {
                r.addRecord(new AAAARecord(owner, DClass.IN, TTL, v6), Section.ANSWER);
            }
        }
        return r;
    }

    /** An authoritative reply to {@code query} with its question and {@code rcode}, and no records yet. */
    static Message reply(Message query, int rcode) {
        Message r = new Message(query.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        r.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        r.getHeader().setOpcode(query.getHeader().getOpcode());
        r.getHeader().setRcode(rcode);
        if (query.getQuestion() != null) {
            r.addRecord(query.getQuestion(), Section.QUESTION);
        }
        if (query.getOPT() != null) {
            r.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        }
        return r;
    }
}

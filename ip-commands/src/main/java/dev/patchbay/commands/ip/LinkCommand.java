package dev.patchbay.commands.ip;

import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.host.output.TextTable;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.LinkOps;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code patchbay link ...}: links the {@code ip link} way. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("link")
@Command(name = "link", mixinStandardHelpOptions = true, description = "Create, change, delete and list links (like `ip link`).",
        subcommands = {LinkCommand.Add.class, LinkCommand.Set.class, LinkCommand.Del.class, LinkCommand.Show.class})
public final class LinkCommand extends IpCommand<LinkCommand.LinkView, String> {

    /** A link as printed (JSON keys follow {@code ip -j link}). */
    record LinkView(int ifindex, String ifname, String kind, String operstate, boolean up, boolean lowerUp, int mtu,
                    String address, String master, Integer peerIndex, Integer linkNetnsid) {
        static LinkView of(Link l, Map<Integer, String> names) {
            return new LinkView(l.index(), l.name().value(), l.kind(), l.up() ? (l.lowerUp() ? "UP" : "UP,NO-CARRIER") : "DOWN",
                    l.up(), l.lowerUp(), l.mtu(), l.mac() == null ? null : l.mac().value(),
                    l.masterIndex() == null ? null : names.getOrDefault(l.masterIndex(), "#" + l.masterIndex()),
                    l.peerIndex(), l.peerNetnsId());
        }
    }

    /** The links of the namespace, or link {@code name} alone. */
    @Override
    List<LinkView> list(NetnsHandle h, String name) {
        List<Link> links = h.links().list();
        if (name != null) {
            Link one = h.links().get(LinkRef.name(name));
            links = links.stream().filter(l -> l.index() == one.index()).collect(Collectors.toList());
        }
        Map<Integer, String> names = new HashMap<>();
        links.forEach(l -> names.put(l.index(), l.name().value()));
        List<LinkView> views = new ArrayList<>();
        links.forEach(l -> views.add(LinkView.of(l, names)));
        return views;
    }

    @Override
    String text(List<LinkView> views) {
        TextTable t = new TextTable("INDEX", "NAME", "KIND", "STATE", "MTU", "ADDRESS", "MASTER");
        views.forEach(v -> t.row(v.ifindex(), v.ifname(), v.kind(), v.operstate(), v.mtu(), v.address(), v.master()));
        return t.toString();
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = {
        "Create a link: a bridge, or a veth pair.",
        "  patchbay link add NAME [mtu N] [address MAC] type bridge",
        "  patchbay link add NAME [mtu N] [address MAC] type veth peer name PEER [netns NS] [address MAC]",
        "With `peer ... netns NS` the peer is created directly inside NS under its final name."})
    static final class Add extends IpCommand.Change {
        @Parameters(arity = "1..*", paramLabel = "ARGS", description = "The link's name, settings and type, as after `ip link add` (above).")
        List<String> args;

        @Override
        Consumer<NetnsHandle> parse(Cli.Words w) {
            LinkSpec link = spec(w);
            return h -> h.links().add(link);
        }

        static LinkSpec spec(Cli.Words w) {
            IfName name = IfName.of(w.name("NAME"));
            Integer mtu = null;
            MacAddress mac = null;
            String kind = null;
            while (w.more() && kind == null) {
                String k = w.next();
                switch (k) {
                    case "mtu": mtu = w.intValue(k); break;
                    case "address": mac = MacAddress.parse(w.value(k)); break;
                    case "type": kind = w.value(k); break;
                    default: throw w.unknown(k);
                }
            }
            if (kind == null) {
                throw new InvalidInputException("link add type", "", "is required: type bridge or type veth peer name PEER");
            }
            switch (kind) {
                case "bridge":
                    if (w.more()) {
                        throw w.unknown(w.next());
                    }
                    return new LinkSpec.Bridge(name, mtu, mac);
                case "veth":
                    IfName peer = null;
                    NetnsRef peerNs = null;
                    MacAddress peerMac = null;
                    if (w.more() && w.peek().equals("peer")) {
                        w.next();
                        while (w.more()) {
                            String k = w.next();
                            switch (k) {
                                case "name": peer = IfName.of(w.value(k)); break;
                                case "netns": peerNs = NetnsRef.parse(w.value(k)); break;
                                case "address": peerMac = MacAddress.parse(w.value(k)); break;
                                default: throw w.unknown(k);
                            }
                        }
                    } else if (w.more()) {
                        throw w.unknown(w.next());
                    }
                    if (peer == null) {
                        throw new InvalidInputException("link add peer name", "", "a veth needs `peer name PEER`");
                    }
                    return new LinkSpec.Veth(name, peer, peerNs, mtu, mac, peerMac);
                case "dummy":
                    return new LinkSpec.Other(name, "dummy", null, null, mtu, mac, null);
                default:
                    throw new InvalidInputException("link add type", kind, "supported types: bridge, veth, dummy");
            }
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = {
        "Change a link: up or down, its bridge, namespace, name, MTU, MAC or bridge port flags.",
        "Several changes may follow each other:",
        "  patchbay link set NAME up|down|master BRIDGE|nomaster|netns NS|name NEW|mtu N|address MAC",
        "                         |hairpin on|off|isolated on|off"})
    static final class Set extends IpCommand.Change {
        @Parameters(arity = "2..*", paramLabel = "ARGS", description = "The link's name, then the changes, as after `ip link set` (above).")
        List<String> args;

        @Override
        Consumer<NetnsHandle> parse(Cli.Words w) {
            LinkRef ref = LinkRef.name(w.name("NAME"));
            List<Consumer<LinkOps>> steps = new ArrayList<>();
            Boolean hairpin = null;
            Boolean isolated = null;
            LinkRef[] current = {ref};
            while (w.more()) { // parse everything first: nothing changes if an argument is bad
                String k = w.next();
                switch (k) {
                    case "up": steps.add(l -> l.setUp(current[0], true)); break;
                    case "down": steps.add(l -> l.setUp(current[0], false)); break;
                    case "master": {
                        LinkRef master = LinkRef.name(w.value(k));
                        steps.add(l -> l.setMaster(current[0], master));
                        break;
                    }
                    case "nomaster": steps.add(l -> l.setMaster(current[0], null)); break;
                    case "mtu": {
                        int mtu = w.intValue(k);
                        steps.add(l -> l.setMtu(current[0], mtu));
                        break;
                    }
                    case "address": {
                        MacAddress mac = MacAddress.parse(w.value(k));
                        steps.add(l -> l.setMac(current[0], mac));
                        break;
                    }
                    case "name": {
                        IfName newName = IfName.of(w.value(k));
                        steps.add(l -> {
                            l.rename(current[0], newName);
                            current[0] = LinkRef.name(newName);
                        });
                        break;
                    }
                    case "netns": {
                        NetnsRef target = NetnsRef.parse(w.value(k));
                        steps.add(l -> l.moveTo(current[0], target));
                        break;
                    }
                    case "hairpin": hairpin = w.onOff(k); break;
                    case "isolated": isolated = w.onOff(k); break;
                    default: throw w.unknown(k);
                }
            }
            if (hairpin != null || isolated != null) {
                Boolean hp = hairpin;
                Boolean iso = isolated;
                steps.add(l -> l.setBridgePort(current[0], hp, iso)); // after `master`: only a bridge port has them
            }
            return h -> steps.forEach(s -> s.accept(h.links()));
        }
    }

    @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true, description = {"Delete a link (a veth pair goes with its peer).", "patchbay link del NAME"})
    static final class Del extends IpCommand.Change {
        @Parameters(arity = "1..2", paramLabel = "NAME", description = "The link to delete (`dev NAME` works too).")
        List<String> args;

        @Override
        Consumer<NetnsHandle> parse(Cli.Words w) {
            LinkRef ref = LinkRef.name(w.name("NAME"));
            return h -> h.links().delete(ref);
        }
    }

    @Command(name = "show", aliases = {"list", "ls"}, mixinStandardHelpOptions = true, description = {"List every link, or one.", "patchbay link show [NAME]"})
    static final class Show extends IpCommand.Show<LinkCommand, String> {
        @Parameters(arity = "0..2", paramLabel = "NAME", description = "Only this link (`dev NAME` works too).")
        List<String> args;

        @Override
        String parse(Cli.Words w) {
            return w.more() ? w.name("NAME") : null;
        }
    }
}

package dev.patchbay.events.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.NetEvent;
import dev.patchbay.core.model.Route;
import dev.patchbay.events.PatchbayEvents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;

class LineTest {
    private static final Instant AT = Instant.parse("2026-12-07T11:59:00.123456Z");

    @Test
    void textHasTheRfc3339TimeInUtcWithMillisecondsThenSourceTypeAndWhatIsSet() {
        Line l = new Line(AT, Line.PATCHBAY, "attached", "web", "red", null, "eth0 10.88.0.2/24");
        assertEquals("2026-12-07T11:59:00.123Z patchbay attached network web container red: eth0 10.88.0.2/24", l.text());
        assertEquals("2026-12-07T11:59:00.000Z kernel link-del link br0",
                new Line(Instant.parse("2026-12-07T11:59:00Z"), Line.KERNEL, "link-del", null, null, "br0", null).text());
    }

    @Test
    void jsonHasTheDocumentedMembersAndLeavesOutWhatIsNotSet() {
        JsonObject o = JsonParser.parseString(new Line(AT, Line.PATCHBAY, "published", "web", "red", null, "8080:80/tcp").json()).getAsJsonObject();
        assertEquals("2026-12-07T11:59:00.123Z", o.get("time").getAsString());
        assertEquals("patchbay", o.get("source").getAsString());
        assertEquals("published", o.get("type").getAsString());
        assertEquals("web", o.get("network").getAsString());
        assertEquals("red", o.get("container").getAsString());
        assertEquals("8080:80/tcp", o.get("detail").getAsString());
        assertFalse(o.has("link"));
        assertFalse(new Line(AT, Line.KERNEL, "link-new", null, null, "br0", "x").json().contains("\n"), "one object per line");
    }

    @Test
    void aPostedEventBecomesALineWithThePostersTime() {
        Event e = new Event(PatchbayEvents.PREFIX + PatchbayEvents.REPAIRED, Map.of(PatchbayEvents.TYPE, PatchbayEvents.REPAIRED,
                PatchbayEvents.TIME, AT.toEpochMilli(), PatchbayEvents.NETWORK, "web", PatchbayEvents.DETAIL, "made again bridge \"br0\""));
        Line l = EventsCommand.own(e);
        assertEquals(new Line(Instant.ofEpochMilli(AT.toEpochMilli()), "patchbay", "repaired", "web", null, null, "made again bridge \"br0\""), l);
    }

    @Test
    void kernelEventsNameTheirLinkAlsoForAddressesAndAfterTheLinkIsGone() {
        Kernel k = new Kernel();
        Link br = new Link(7, new IfName("br0"), "bridge", 1500, null, true, true, null, null, null);
        k.know(List.of(br));
        assertEquals(new Line(AT, "kernel", "addr-del", null, null, "br0", "10.88.0.1/24"),
                k.line(new NetEvent(NetEvent.Type.ADDR_DEL, 7, null, IpPrefix.parse("10.88.0.1/24"), null), AT));
        assertEquals(new Line(AT, "kernel", "link-del", null, null, "br0", "index 7 bridge up"),
                k.line(new NetEvent(NetEvent.Type.LINK_DEL, 7, br, null, null), AT));
        Line route = k.line(new NetEvent(NetEvent.Type.ROUTE_NEW, 7, null, null, Route.onLink(IpPrefix.parse("10.88.0.0/24"), new IfName("br0"))), AT);
        assertEquals("route-new", route.type());
        assertEquals("br0", route.link());
        assertTrue(route.detail().startsWith("10.88.0.0/24 dev br0"), route.detail());
    }

    @Test
    void aFilterPassesATypeItsGroupOrItsSourceAndNothingElse() {
        Line attached = new Line(AT, Line.PATCHBAY, "attached", "web", "red", null, null);
        Line created = new Line(AT, Line.PATCHBAY, "network-created", "web", null, null, null);
        Line linkDel = new Line(AT, Line.KERNEL, "link-del", null, null, "br0", null);
        assertTrue(Filter.of(List.of()).accepts(linkDel), "no filter: everything");
        Filter f = Filter.of(List.of("attached", "network"));
        assertTrue(f.accepts(attached));
        assertTrue(f.accepts(created));
        assertFalse(f.accepts(linkDel));
        assertFalse(f.wantsKernel(), "no kernel event can pass: no monitor is opened");
        Filter k = Filter.of(List.of("link"));
        assertTrue(k.accepts(linkDel));
        assertFalse(k.accepts(attached));
        assertTrue(k.wantsKernel());
        assertTrue(Filter.of(List.of("patchbay")).accepts(created));
        assertFalse(Filter.of(List.of("patchbay")).wantsKernel());
    }

    @Test
    void anUnknownFilterIsRefusedNamingTheOptionAndTheValue() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Filter.of(List.of("attached", "atached")));
        assertTrue(e.getMessage().contains("--filter") && e.getMessage().contains("\"atached\""), e.getMessage());
    }

    @Test
    void theStreamPrintsWhatPassesInOrderAndEndsWhenInterrupted() throws Exception {
        LinkedBlockingQueue<Line> q = new LinkedBlockingQueue<>();
        q.add(new Line(AT, Line.PATCHBAY, "attached", "web", "red", null, null));
        q.add(new Line(AT, Line.KERNEL, "link-del", null, null, "br0", null));
        q.add(new Line(AT, Line.PATCHBAY, "repaired", "web", null, null, "made again bridge \"br0\""));
        StringWriter out = new StringWriter();
        Thread t = new Thread(() -> EventsCommand.stream(q, Filter.of(List.of("patchbay")), true, new PrintWriter(out)));
        t.start();
        while (!q.isEmpty()) {
            Thread.sleep(10);
        }
        t.interrupt();
        t.join(10_000);
        assertFalse(t.isAlive(), "an interrupt ends the stream");
        String[] lines = out.toString().split("\n");
        assertEquals(2, lines.length, out.toString());
        assertEquals("attached", JsonParser.parseString(lines[0]).getAsJsonObject().get("type").getAsString());
        assertEquals("repaired", JsonParser.parseString(lines[1]).getAsJsonObject().get("type").getAsString());
    }
}

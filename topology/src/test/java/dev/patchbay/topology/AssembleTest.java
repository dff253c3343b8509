package dev.patchbay.topology;

import static dev.patchbay.topology.Fixture.link;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AssembleTest {
    private static Topology.Link find(Topology t, String ns, String name) {
        return t.links().stream().filter(l -> l.namespace().equals(ns) && l.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> veths(Topology t) {
        return t.edges().stream().filter(e -> e.kind().equals("veth"))
                .map(e -> e.a().namespace() + ":" + e.a().link() + "=" + e.b().namespace() + ":" + e.b().link()).toList();
    }

    @Test
    void namespacesHostFirstAndOnlyThoseJoinedToIt() {
        Topology t = Fixture.demo();
        assertEquals(List.of("HOST", "out", "red", "stray", "nsid-5-of-HOST"), t.namespaces().stream().map(Topology.Namespace::id).toList());
        assertEquals(List.of("host", "other", "container", "other", "unseen"), t.namespaces().stream().map(Topology.Namespace::role).toList());
        assertEquals(List.of("web/red"), t.namespaces().get(2).containers());
        assertEquals("10.77.0.1", t.namespaces().get(2).defaults().get(0).gateway());
    }

    @Test
    void vethPairsJoinedByTheirIndexesAcrossNamespaces() {
        Topology t = Fixture.demo();
        assertEquals(List.of("HOST:lost0=nsid-5-of-HOST:if9", "HOST:stray0=stray:eth0", "HOST:up0=out:eth0", "HOST:vethred=red:eth0"),
                veths(t).stream().sorted().toList());
        assertTrue(t.edges().stream().anyMatch(e -> e.kind().equals("port") && e.a().link().equals("vethred") && e.b().link().equals("pbweb0")));
    }

    @Test
    void rolesFromTheRecordsAndTheRestForeign() {
        Topology t = Fixture.demo();
        assertEquals("bridge", find(t, "HOST", "pbweb0").role());
        assertEquals("port", find(t, "HOST", "vethred").role());
        assertEquals("pbweb0", find(t, "HOST", "vethred").master());
        assertEquals("uplink", find(t, "HOST", "up0").role());
        assertEquals("container", find(t, "red", "eth0").role());
        assertEquals(List.of("10.77.0.2/24"), find(t, "red", "eth0").addresses());
        assertFalse(find(t, "HOST", "pbweb0").foreign() || find(t, "HOST", "up0").foreign() || find(t, "HOST", "lo").foreign());
        assertTrue(find(t, "HOST", "stray0").foreign() && find(t, "stray", "eth0").foreign() && find(t, "out", "eth0").foreign());
        Topology.Network web = t.networks().get(0);
        assertTrue(web.masquerade());
        assertEquals("up0", web.uplink());
        assertEquals(List.of(new Topology.Published("red", "red", "10.77.0.2", "8080:80/tcp")), web.published());
    }

    /** Two namespaces hold an end that fits: the namespace id learnt from an unambiguous pair decides. */
    @Test
    void ambiguousEndsDecidedByTheNamespaceIdsLearnt() {
        Assemble.Seen host = new Assemble.Seen("h", "h", "host", List.of(link(4, "a", "veth", null, 2, 1), link(7, "b", "veth", null, 3, 1)),
                List.of(), List.of());
        Assemble.Seen x = new Assemble.Seen("x", "x", "other", List.of(link(2, "eth0", "veth", null, 4, 0), link(3, "eth1", "veth", null, 7, 0)),
                List.of(), List.of());
        Assemble.Seen y = new Assemble.Seen("y", "y", "container", List.of(link(2, "eth0", "veth", null, 4, 3)), List.of(), List.of());
        Assemble.Seen z = new Assemble.Seen("z", "z", "other", List.of(link(4, "c", "veth", null, 2, 8)), List.of(), List.of());
        Topology t = Assemble.of("h", List.of(host, x, y, z), List.of());
        assertEquals(List.of("h:a=x:eth0", "h:b=x:eth1", "y:eth0=z:c"), veths(t).stream().sorted().toList());
    }

    @Test
    void aVethWhosePeerIsInTheSameNamespace() {
        Assemble.Seen host = new Assemble.Seen("h", "h", "host", List.of(link(4, "a", "veth", null, 5, null), link(5, "b", "veth", null, 4, null)),
                List.of(), List.of());
        assertEquals(List.of("h:a=h:b"), veths(Assemble.of("h", List.of(host), List.of())));
    }
}

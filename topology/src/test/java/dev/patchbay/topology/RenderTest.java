package dev.patchbay.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.command.CliContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RenderTest {
    @Test
    void textNamesEachNamespaceAndVethPair() {
        String text = TextRender.render(Fixture.demo());
        assertTrue(text.startsWith("HOST  (host namespace)\n"), text);
        assertTrue(text.contains("\nred  (container web/red)\n"), text);
        assertTrue(text.matches("(?s).*\n  vethred +veth +up +master pbweb0 +port of web +<-> red eth0\n.*"), text);
        assertTrue(text.matches("(?s).*\n  eth0 +veth +up +10\\.77\\.0\\.2/24 +on web +<-> HOST vethred\n.*"), text);
        assertTrue(text.matches("(?s).*\n  stray0 +veth +up +- +foreign +<-> stray eth0\n.*"), text);
        assertTrue(text.contains("  default via 10.77.0.1\n"), text);
        assertTrue(text.contains("  web  bridge pbweb0  10.77.0.0/24 gateway 10.77.0.1  masquerade out of up0  ok\n"), text);
        assertTrue(text.contains("    published 8080:80/tcp -> red 10.77.0.2\n"), text);
        assertTrue(!text.contains(" lo "), "the loopback is left out: " + text);
    }

    @Test
    void dotHasABoxPerNamespaceAndAnEdgePerPair() throws Exception {
        String dot = DotRender.render(Fixture.demo());
        assertEquals(5, count(dot, "subgraph cluster_"), dot);
        assertEquals(4, count(dot, "label=\"veth pair\""), dot);
        assertEquals(2, count(dot, "shape=note"), "one published port, one feature (dns): " + dot);
        assertTrue(dot.contains("label=\"web: dns on 10.77.0.1:53, domain patchbay.internal (1 name)\\nred -> 10.77.0.2\""), dot);
        assertTrue(dot.contains("label=\"red\\ncontainer web/red\\ndefault via 10.77.0.1\""), dot);
        assertTrue(dot.contains("label=\"pbweb0\\nbridge, bridge of web\\n10.77.0.1/24\""), "the link-local address left out: " + dot);
        assertTrue(dot.contains("label=\"up0\\nveth, uplink of web\\n198.51.100.1/24\\nmasquerade 10.77.0.0/24\""), dot);
        assertTrue(dot.contains("label=\"stray0\\nveth, foreign\", fillcolor=\"#e4e4e4\", style=\"rounded,filled,dashed\""), dot);
        assertEquals(count(dot, "{"), count(dot, "}"), dot);
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "topology-fixture.dot"), dot); // to look at: dot -Tpng
    }

    @Test
    void jsonAndTextKeepTheLinkLocalAddress() {
        assertTrue(TextRender.render(Fixture.demo()).contains("10.77.0.1/24 fe80::1c3a:1ff:fe2b:3c4d/64"));
        assertTrue(CliContext.gson().toJson(Fixture.demo()).contains("\"fe80::1c3a:1ff:fe2b:3c4d/64\""));
    }

    @Test
    void dotQuotesWhatNamesHold() {
        assertEquals("\"a\\\"b\\\\c\\nd\"", DotRender.q("a\"b\\c\nd"));
    }

    @Test
    void jsonShape() {
        JsonObject o = JsonParser.parseString(CliContext.gson().toJson(Fixture.demo())).getAsJsonObject();
        assertEquals("HOST", o.get("host").getAsString());
        assertEquals(5, o.getAsJsonArray("namespaces").size());
        JsonObject first = o.getAsJsonArray("links").get(0).getAsJsonObject();
        assertEquals("{\"namespace\":\"HOST\",\"index\":1,\"name\":\"lo\",\"kind\":null,\"up\":true,\"mac\":null,\"master\":null,"
                + "\"addresses\":[\"127.0.0.1/8\"],\"role\":\"loopback\",\"network\":null,\"foreign\":false}", first.toString());
        JsonObject veth = o.getAsJsonArray("edges").asList().stream().map(e -> e.getAsJsonObject())
                .filter(e -> e.get("kind").getAsString().equals("veth") && e.toString().contains("vethred")).findFirst().orElseThrow();
        assertEquals("{\"kind\":\"veth\",\"a\":{\"namespace\":\"HOST\",\"link\":\"vethred\"},\"b\":{\"namespace\":\"red\",\"link\":\"eth0\"}}", veth.toString());
        JsonObject web = o.getAsJsonArray("networks").get(0).getAsJsonObject();
        assertEquals("8080:80/tcp", web.getAsJsonArray("published").get(0).getAsJsonObject().get("mapping").getAsString());
        JsonObject dns = web.getAsJsonArray("features").get(0).getAsJsonObject();
        assertEquals("dns", dns.get("kind").getAsString());
        assertEquals("patchbay.internal", dns.getAsJsonObject("data").get("domain").getAsString());
    }

    @Test
    void textListsWhatOtherBundlesAddToANetwork() {
        String text = TextRender.render(Fixture.demo());
        assertTrue(text.contains("\n    dns on 10.77.0.1:53, domain patchbay.internal (1 name)\n      red -> 10.77.0.2\n"), text);
    }

    private static int count(String s, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}

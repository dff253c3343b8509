package dev.patchbay.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The key rule of Go's encoding/json, which the reference plugins and the runtimes decode with. */
class GoKeysTest {
    static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    @Test
    void anExactKeyAndACaseFoldedOneNameTheSameField() {
        assertEquals(8080, GoKeys.member(json("{\"hostPort\":8080}"), "hostPort").getAsInt());
        assertEquals(8080, GoKeys.member(json("{\"HostPort\":8080}"), "hostPort").getAsInt());
        assertEquals(8080, GoKeys.member(json("{\"HOSTPORT\":8080}"), "hostPort").getAsInt());
        assertNull(GoKeys.member(json("{\"host_port\":8080}"), "hostPort"), "folding is about case only");
    }

    @Test
    void whenTwoKeysNameOneFieldTheLastInTheDocumentWinsAsInGo() {
        assertEquals(2, GoKeys.member(json("{\"hostPort\":1,\"HostPort\":2}"), "hostPort").getAsInt());
        assertEquals(1, GoKeys.member(json("{\"HostPort\":2,\"hostPort\":1}"), "hostPort").getAsInt());
    }

    @Test
    void foldingIsUnicodeSimpleFoldingAsStringsEqualFold() {
        assertEquals("x", GoKeys.member(json("{\"\\u212Aey\":\"x\"}"), "key").getAsString(), "the Kelvin sign folds to k");
        assertEquals("y", GoKeys.member(json("{\"\\u017Fubnet\":\"y\"}"), "subnet").getAsString(), "the long s folds to s");
        assertNull(GoKeys.member(json("{\"stra\\u00DFe\":1}"), "strasse"), "no full folding: \u00DF is not ss");
    }

    @Test
    void thePluginsMapsFollowTheSameRuleAllTheWayDown() {
        Map<String, Object> conf = DriverConf.object(json("{\"RuntimeConfig\":{\"portMappings\":[{\"HostPort\":8080,"
                + "\"ContainerPort\":80,\"Protocol\":\"tcp\",\"HostIP\":\"\"}]}}"));
        Object mappings = ((Map<?, ?>) conf.get("runtimeConfig")).get("portMappings");
        Map<?, ?> first = (Map<?, ?>) ((List<?>) mappings).get(0);
        assertEquals(8080L, first.get("hostPort"));
        assertEquals("tcp", first.get("protocol"));
        assertTrue(first.containsKey("hostIP"));
        assertFalse(first.containsKey("hostport_"));
        assertEquals(List.of("HostPort", "ContainerPort", "Protocol", "HostIP"), List.copyOf(first.keySet()), "shown as sent");
    }

    @Test
    void theProtocolsOwnReadsUseItToo() {
        Conf c = Conf.root(json("{\"CNIVersion\":\"1.0.0\",\"Name\":\"n\",\"IPAM\":{\"Type\":\"host-local\"}}"));
        assertEquals("n", c.string("name"));
        assertEquals("host-local", c.object("ipam").string("type"));
        assertEquals("ipam.type", c.object("ipam").field("type"), "errors name the field as the spec spells it");
    }
}

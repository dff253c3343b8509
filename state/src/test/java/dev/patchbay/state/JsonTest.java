package dev.patchbay.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.PortMapping;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    record Sample(IfName name, IpPrefix prefix, InetAddress gateway, MacAddress mac, List<PortMapping> ports, String none) {
    }

    private static final Sample SAMPLE = new Sample(IfName.of("eth0"), IpPrefix.parse("fd00::2/64"),
            IpAddresses.parse("gw", "10.0.0.1"), MacAddress.parse("02:42:AC:11:00:02"), List.of(PortMapping.parse("8080:80/tcp")), null);

    @Test
    void stateRoundTripsModelValuesAsTheirTextForms() {
        String json = Json.compact().toJson(SAMPLE);
        assertEquals("{\"name\":\"eth0\",\"prefix\":\"fd00::2/64\",\"gateway\":\"10.0.0.1\",\"mac\":\"02:42:ac:11:00:02\","
                + "\"ports\":[\"8080:80/tcp\"],\"none\":null}", json);
        assertEquals(SAMPLE, Json.compact().fromJson(json, Sample.class));
    }

    @Test
    void stateWritesWhatOutputWritesOnOneLine() {
        assertEquals(JsonParser.parseString(CliContext.gson().toJson(SAMPLE)), JsonParser.parseString(Json.compact().toJson(SAMPLE)));
    }

    @Test
    void aBadValueInAStateFileIsNamed() {
        JsonParseException e = assertThrows(JsonParseException.class, () -> Json.compact().fromJson("{\"name\":\"a/b\"}", Sample.class));
        assertEquals(true, e.getMessage().contains("bad value \"a/b\""), e.getMessage());
    }
}

package dev.patchbay.plugin.overlay.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtcdJsonTest {
    @Test
    void aPrefixRangeEndsAfterItsLastByte() {
        assertEquals(EtcdJson.b64("/pb/b"), EtcdJson.prefixEnd("/pb/a"));
        assertEquals("AQ==", EtcdJson.prefixEnd("\u0000"));
        assertEquals("/pb/a", EtcdJson.unb64(EtcdJson.b64("/pb/a")));
        assertEquals("{\"key\":\"" + EtcdJson.b64("/x/") + "\",\"range_end\":\"" + EtcdJson.b64("/x0") + "\"}",
                EtcdJson.range("/x/", true).toString());
    }

    @Test
    void bodiesCarryKeysInBase64AndBigNumbersAsStrings() {
        assertEquals("{\"key\":\"YQ==\",\"value\":\"Yg==\",\"lease\":\"7587862072861240000\"}",
                EtcdJson.put("a", "b", 7587862072861240000L).toString());
        assertEquals("{\"key\":\"YQ==\",\"value\":\"Yg==\"}", EtcdJson.put("a", "b", 0).toString());
        assertEquals("{\"key\":\"YQ==\",\"target\":\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}",
                EtcdJson.compare("a", "CREATE", "EQUAL", 0).toString());
        assertEquals("{\"compare\":[],\"success\":[{\"request_put\":{\"key\":\"YQ==\",\"value\":\"Yg==\"}}],\"failure\":[]}",
                EtcdJson.txn(List.of(), List.of(EtcdJson.op("request_put", EtcdJson.put("a", "b", 0))), List.of()).toString());
        assertEquals("{\"create_request\":{\"key\":\"YQ==\",\"range_end\":\"Yg==\",\"start_revision\":\"12\"}}",
                EtcdJson.watch("a", 12).toString());
    }

    @Test
    void answersAreReadWithTheirZeroValuesLeftOut() {
        var range = EtcdJson.parse("{\"header\":{\"revision\":\"9\"},\"kvs\":[{\"key\":\"YQ==\",\"create_revision\":\"3\","
                + "\"mod_revision\":\"8\",\"value\":\"Yg==\",\"lease\":\"77\"},{\"key\":\"Yw==\",\"create_revision\":4,\"mod_revision\":4}],\"count\":\"2\"}");
        assertEquals(9, EtcdJson.revision(range));
        assertEquals(List.of(new KeyValue("a", "b", 3, 8, 77), new KeyValue("c", "", 4, 4, 0)), EtcdJson.kvs(range));
        assertEquals(List.of(), EtcdJson.kvs(EtcdJson.parse("{\"header\":{}}")));
        assertFalse(EtcdJson.succeeded(EtcdJson.parse("{\"header\":{},\"responses\":[{\"response_range\":{\"header\":{}}}]}")));
        var txn = EtcdJson.parse("{\"header\":{},\"succeeded\":true,\"responses\":[{\"response_put\":{}},{\"response_range\":{\"kvs\":"
                + "[{\"key\":\"YQ==\",\"value\":\"Yg==\"}]}}]}");
        assertTrue(EtcdJson.succeeded(txn));
        assertEquals(List.of(new KeyValue("a", "b", 0, 0, 0)), EtcdJson.txnRanges(txn));
    }

    @Test
    void aWatchLineGivesItsEventsAPutHavingNoType() {
        EtcdJson.WatchBatch created = EtcdJson.watchLine("{\"result\":{\"header\":{\"revision\":\"5\"},\"created\":true}}");
        assertTrue(created.created());
        assertEquals(5, created.revision());
        EtcdJson.WatchBatch b = EtcdJson.watchLine("{\"result\":{\"header\":{\"revision\":\"7\"},\"events\":[{\"kv\":{\"key\":\"YQ==\","
                + "\"mod_revision\":\"6\",\"value\":\"Yg==\"}},{\"type\":\"DELETE\",\"kv\":{\"key\":\"Yw==\",\"mod_revision\":\"7\"}}]}}");
        assertEquals(List.of(new WatchEvent(WatchEvent.Type.PUT, new KeyValue("a", "b", 0, 6, 0)),
                new WatchEvent(WatchEvent.Type.DELETE, new KeyValue("c", "", 0, 7, 0))), b.events());
        assertThrows(IllegalStateException.class, () -> EtcdJson.watchLine("{\"error\":{\"grpc_code\":11,\"message\":\"no\"}}"));
    }

    @Test
    void endpointsAreHttpOrHttpsUrlsSeparatedByCommas() {
        assertEquals(List.of(URI.create("http://10.0.0.1:2379"), URI.create("http://h2:2379")),
                EtcdClient.endpoints("http://10.0.0.1:2379, http://h2:2379/"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> EtcdClient.endpoints("10.0.0.1:2379"));
        assertTrue(e.getMessage().contains("10.0.0.1:2379"), e.getMessage());
        assertEquals(List.of(URI.create("https://h:2379")), EtcdClient.endpoints("https://h:2379"));
        assertThrows(InvalidInputException.class, () -> EtcdClient.endpoints("ftp://h:2379"));
        assertThrows(InvalidInputException.class, () -> EtcdClient.endpoints("http://h:2379/v3"));
    }
}

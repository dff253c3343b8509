package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The version ranges of requirement filters, written back the way a manifest writes them. */
class UnresolvedTest {

    @Test
    void rangesAsTheManifestWritesThem() {
        assertEquals("[3.0.0,4.0.0)", Unresolved.rangeIn("(&(osgi.wiring.package=dev.patchbay.core.network)(version>=3.0.0)(!(version>=4.0.0)))"));
        assertEquals("[1.1.0,1.2.0)", Unresolved.rangeIn("(&(osgi.wiring.package=p)(version>=1.1.0)(!(version>=1.2.0)))"));
        assertEquals("[1.0.0,2.0.0]", Unresolved.rangeIn("(&(osgi.wiring.package=p)(version>=1.0.0)(version<=2.0.0))"));
        assertEquals("(1.0.0,2.0.0)", Unresolved.rangeIn("(&(osgi.wiring.package=p)(!(version<=1.0.0))(!(version>=2.0.0)))"));
        assertEquals("1.2.0 or later", Unresolved.rangeIn("(&(osgi.wiring.package=p)(version>=1.2.0))"));
        assertEquals("[1.5.0,1.5.0]", Unresolved.rangeIn("(&(osgi.wiring.bundle=b)(bundle-version=1.5.0)(version=1.5.0))"));
        assertNull(Unresolved.rangeIn("(osgi.wiring.package=p)"));
        assertNull(Unresolved.rangeIn(null));
    }
}

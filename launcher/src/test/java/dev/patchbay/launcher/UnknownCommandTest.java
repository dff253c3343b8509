package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** A first word no installed bundle serves is named as such (its bundle may be missing); other usage errors keep picocli's words. */
class UnknownCommandTest {

    @Test
    void aCommandNoBundleProvidesIsNamedWithWhereToLook() {
        StringWriter err = new StringWriter();
        PrintWriter w = new PrintWriter(err);
        assertEquals(2, PatchbayCli.create(null, w, w, null).execute("events", "-o", "json"));
        assertTrue(err.toString().startsWith("patchbay: no command 'events': no installed bundle provides it ('patchbay plugins ls'"
                + " lists the bundles)\n"), err.toString());
    }

    @Test
    void anUnknownOptionOfAKnownCommandKeepsPicocliWords() {
        StringWriter err = new StringWriter();
        PrintWriter w = new PrintWriter(err);
        assertEquals(2, PatchbayCli.create(null, w, w, null).execute("version", "--bogus"));
        assertTrue(err.toString().startsWith("patchbay: Unknown option: '--bogus'"), err.toString());
    }
}

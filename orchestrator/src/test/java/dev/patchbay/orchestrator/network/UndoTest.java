package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.PatchbayException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rollback as a stack ({@link Undo}): reverse order, every step tried, a release only over a clean undo. */
class UndoTest {
    private final List<String> ran = new ArrayList<>();

    private Undo threeSteps(boolean ruleRemovalFails) {
        Undo undo = new Undo();
        undo.pushRelease("release the addresses", () -> ran.add("release"));
        undo.pushTeardown(errors -> errors.run("delete the link", () -> ran.add("link")));
        undo.push("remove the rules", () -> {
            ran.add("rules");
            if (ruleRemovalFails) {
                throw new PatchbayException("the backend refused");
            }
        });
        return undo;
    }

    @Test
    void stepsRunInReverseAndAllIsUndone() {
        assertEquals(List.of(), threeSteps(false).run(new PatchbayException("the save failed")));
        assertEquals(List.of("rules", "link", "release"), ran);
    }

    @Test
    void aStepThatFailsDoesNotStopTheNextButKeepsTheAddressesReserved() {
        Undo undo = threeSteps(true);
        PatchbayException failure = new PatchbayException("the save failed");
        List<Throwable> left = undo.run(failure);
        assertEquals(List.of("rules", "link"), ran, "the link still goes; the addresses a rule may name stay");
        assertEquals(1, left.size());
        assertEquals("failed to remove the rules: the backend refused", left.get(0).getMessage());
        assertTrue(undo.attachTo(failure).getSuppressed().length == 1);
    }

    @Test
    void whatTheFailingStepLeftKeepsTheAddressesReservedToo() {
        PatchbayException failure = new PatchbayException("set-up failed");
        failure.addSuppressed(new PatchbayException("and its own undo failed"));
        List<Throwable> left = threeSteps(false).run(failure);
        assertEquals(List.of("rules", "link"), ran);
        assertEquals(List.of("and its own undo failed"), left.stream().map(Throwable::getMessage).toList());
    }
}

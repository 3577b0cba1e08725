package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Tensor;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Every way of registering (a submodule, a parameter, a buffer) checks the name the same way, and a
 * module cannot be registered inside itself or inside one of its own submodules (the tree would loop).
 */
class ModuleRegistrationTest {
    /** A module whose registrations the test drives. */
    static final class Open extends Module {
        @Override
        public Tensor forward(Tensor input) {
            return input;
        }

        Module child(String name, Module m) {
            return register(name, m);
        }

        Tensor param(String name, Tensor t) {
            return registerParameter(name, t);
        }

        Tensor buffer(String name, Tensor t) {
            return registerBuffer(name, t);
        }
    }

    private static void assertNamesChecked(BiConsumer<Open, String> registration) {
        for (String bad : List.of("", "a.b")) {
            Open m = new Open();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registration.accept(m, bad));
            assertTrue(e.getMessage().contains("invalid name '" + bad + "'"), e.getMessage());
            assertEquals(0, m.stateDict().size() + m.children().size(), "nothing registered");
        }
        Open m = new Open();
        m.param("taken", Tensor.randn(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registration.accept(m, "taken"));
        assertTrue(e.getMessage().contains("'taken' is already registered in Open"), e.getMessage());
        assertEquals(List.of("taken"), List.copyOf(m.stateDict().keySet()));
        assertEquals(0, m.children().size());
    }

    @Test
    void submoduleNamesAreChecked() {
        assertNamesChecked((m, name) -> m.child(name, new ReLU()));
    }

    @Test
    void parameterNamesAreChecked() {
        assertNamesChecked((m, name) -> m.param(name, Tensor.randn(3)));
    }

    @Test
    void bufferNamesAreChecked() {
        assertNamesChecked((m, name) -> m.buffer(name, Tensor.randn(3)));
    }

    @Test
    void aModuleCannotContainItselfOrItsAncestor() {
        Open outer = new Open();
        Open middle = new Open();
        Open inner = new Open();
        outer.child("middle", middle);
        middle.child("inner", inner);
        for (Module loop : List.of(inner, middle, outer)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inner.child("loop", loop));
            assertTrue(e.getMessage().contains("it contains this module"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> middle.child("up", outer));
        assertEquals(0, inner.children().size(), "nothing registered");
        assertEquals(List.of("inner"), List.copyOf(middle.children().keySet()));
    }
}

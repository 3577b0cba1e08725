package dev.tensorj.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.opentest4j.AssertionFailedError;

/** {@link Placement}'s assertions pass at their bound and fail one past it, on every device. */
class PlacementAssertionsTest {

    @ParameterizedTest
    @DevicesSource(meta = true)
    void aBlockOnOneDeviceRanOnlyThere(Device device) {
        Tensor a = Tensor.randn(device, 8, 16);
        Tensor b = Tensor.randn(device, 16, 4);
        Placement p = Placement.of(() -> a.matmul(b).relu());
        p.assertRanOnlyOn(device).assertOpsOnlyOn(device);
        assertEquals(2, p.on(device).ops());
        assertEquals(2L * 8 * 16 * 4, p.on(device).flops()); // meta counts the FLOPs it would take
        Device other = device.isCpu() ? Device.META : Device.CPU;
        assertEquals(0, p.on(other).ops());
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> p.assertRanOnlyOn(other));
        assertTrue(e.getMessage().startsWith("expected the block to run only on " + other + ", but " + device
                + " counted 1024 FLOP(s)"), e.getMessage());
        assertTrue(e.getMessage().contains("\n  " + device + ": 2 ops"), e.getMessage());
        AssertionFailedError o = assertThrows(AssertionFailedError.class, () -> p.assertOpsOnlyOn(other));
        assertTrue(o.getMessage().startsWith("expected every op of the block on " + other + ", but " + device
                + " counted 2 op(s), " + p.on(device).launches() + " launch(es) and 1024 FLOP(s)"), o.getMessage());
    }

    @Test
    void workOnTheCpuInsideAGpuBlockFailsTheGpuAssertion() {
        Tensor x = Tensor.randn(4, 4);
        Placement p = Placement.of(() -> x.matmul(x));
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> p.assertRanOnlyOn(Device.cuda(0)));
        assertTrue(e.getMessage().contains("but cpu counted 128 FLOP(s)"), e.getMessage());
    }

    /** Making an input on the host and moving it: no FLOP there, but ops, which the strict form sees. */
    @ParameterizedTest
    @DevicesSource
    void inputsMadeOnTheHostPassTheFlopCheckButNotTheOpCheck(Device device) {
        Tensor w = Tensor.randn(device, 4, 4);
        Placement p = Placement.of(() -> Tensor.randn(4, 4).to(device).matmul(w));
        p.assertRanOnlyOn(device);
        if (!device.isCpu()) {
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> p.assertOpsOnlyOn(device));
            assertTrue(e.getMessage().startsWith("expected every op of the block on " + device + ", but cpu counted "),
                    e.getMessage());
        }
    }

    @ParameterizedTest
    @DevicesSource
    void launchesAndAllocationsAtMostTheirCount(Device device) {
        Tensor x = Tensor.randn(device, 10, 10);
        Placement p = Placement.of(() -> x.relu().add(x));
        long launches = p.on(device).launches();
        assertEquals(2, launches, p.toString());
        assertEquals(2 * 400, p.on(device).bytesAllocated(), p.toString());
        p.assertLaunchesAtMost(device, 2).assertBytesAllocatedAtMost(device, 800);
        AssertionFailedError l = assertThrows(AssertionFailedError.class, () -> p.assertLaunchesAtMost(device, 1));
        assertTrue(l.getMessage().startsWith("expected at most 1 kernel launches on " + device + ", got 2"), l.getMessage());
        AssertionFailedError a = assertThrows(AssertionFailedError.class, () -> p.assertBytesAllocatedAtMost(device, 799));
        assertTrue(a.getMessage().startsWith("expected at most 799 bytes allocated on " + device
                + " (in 2 allocation(s)), got 800"), a.getMessage());
    }

    @ParameterizedTest
    @DevicesSource
    void bytesBetweenHostAndDeviceBothWays(Device device) {
        float[] data = new float[100];
        Placement p = Placement.of(() -> Tensor.of(data, 100).to(device).toFloatArray());
        long expected = device.isCuda() ? 800 : 0; // 400 there and 400 back; the cpu's own copies are not transfers
        assertEquals(expected, p.on(device).bytesHostToDevice() + p.on(device).bytesDeviceToHost(), p.toString());
        p.assertHostDeviceBytesAtMost(device, expected);
        if (device.isCuda()) {
            AssertionFailedError e = assertThrows(AssertionFailedError.class,
                    () -> p.assertHostDeviceBytesAtMost(device, 799));
            assertTrue(e.getMessage().startsWith("expected at most 799 bytes between the host and cuda:0 (400 "
                    + "host→device, 400 device→host), got 800"), e.getMessage());
        }
    }

    @Test
    void whatTheBlockThrowsComesThroughUnchanged() {
        IOException io = new IOException("disk");
        assertSame(io, assertThrows(IOException.class, () -> Placement.of(() -> {
            throw io;
        })));
        assertEquals("the block's counts: nothing on any device", Placement.of(() -> { }).toString());
    }
}

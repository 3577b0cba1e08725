package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tensorj.Device;
import dev.tensorj.junit.DevicesSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** {@link PlacementReport}: which device holds most parameters (CUDA on a tie), and the exact report. */
class PlacementReportTextTest {
    @Test
    void theMajorityIsTheDeviceWithMostParameters() {
        Sequential s = new Sequential(new Linear(2, 3), new Linear(3, 1, false));
        s.get(1).to(Device.META);
        ((Linear) s.get(0)).bias().setData(((Linear) s.get(0)).bias().to(Device.META));
        PlacementReport r = s.placement();
        assertEquals(Device.META, r.majorityDevice(), "2 on meta, 1 on cpu");
        assertEquals("Sequential: MIXED placement: 1 parameter(s) on cpu, 2 parameter(s) on meta\n"
                + "  0.weight  [3, 2]       cpu   <-- not on meta\n"
                + "  0.bias    [3]          meta\n"
                + "  1.weight  [1, 3]       meta", r.toString());
    }

    @Test
    void aModelWithoutParameters() {
        PlacementReport r = new Sequential(new ReLU(), new Tanh()).placement();
        assertNull(r.majorityDevice());
        assertEquals("Sequential: no parameters", r.toString());
    }

    /** On a tie the GPU is the majority: the parameters left on the CPU are the ones flagged. */
    @ParameterizedTest
    @DevicesSource
    void aTieGoesToCuda(Device device) {
        Sequential s = new Sequential(new Linear(2, 2, false), new Linear(2, 2, false));
        s.get(1).to(device);
        if (device.isCuda()) {
            assertEquals(device, s.placement().majorityDevice());
            assertEquals(device, new Sequential(s.get(1), s.get(0)).placement().majorityDevice(), "in either order");
        } else {
            assertEquals(Device.CPU, s.placement().majorityDevice());
        }
    }
}

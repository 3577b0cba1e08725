package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.examples.TutorialModels;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementReportTest {

    @Test
    void allOnOneDevice() {
        PlacementReport r = new TutorialModels.SimpleModel().placement();
        assertFalse(r.isMixed());
        assertEquals(Set.of(Device.CPU), r.devices());
        assertEquals(Device.CPU, r.parameterDevices().get("linear.weight"));
        assertTrue(r.toString().startsWith("SimpleModel: all 2 parameter(s) on cpu"), r.toString());
        assertFalse(r.toString().contains("<--"));
    }

    @Test
    void mixedPlacementIsFlaggedPerParameter() {
        TutorialModels.ComplexModel model = new TutorialModels.ComplexModel();
        model.linear2.to(Device.META);
        model.linear1.bias().to(Device.META); // a copy: the parameter itself stays on cpu
        PlacementReport r = model.placement();
        assertTrue(r.isMixed());
        assertEquals(Set.of(Device.CPU, Device.META), r.devices());
        String text = r.toString();
        assertTrue(text.startsWith("ComplexModel: MIXED placement: 2 parameter(s) on cpu, 2 parameter(s) on meta"),
                text);
        // Tie: neither is CUDA, so the majority is the first with the highest count; the others are flagged.
        long flagged = text.lines().filter(l -> l.contains("<-- not on")).count();
        assertEquals(2, flagged, text);
    }

    @Test
    void minorityIsFlagged() {
        Sequential s = new Sequential(new Linear(2, 2), new Linear(2, 2), new Linear(2, 2));
        ((Linear) s.get(2)).to(Device.META);
        PlacementReport r = s.placement();
        assertEquals(Device.CPU, r.majorityDevice());
        String text = r.toString();
        assertTrue(text.contains("2.weight  [2, 2]       meta   <-- not on cpu"), text);
        assertEquals(2, text.lines().filter(l -> l.contains("<-- not on cpu")).count(), text);
    }
}

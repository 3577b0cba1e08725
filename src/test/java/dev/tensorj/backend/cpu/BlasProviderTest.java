package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tensorj.backend.cpu.BlasProvider.Choice;
import dev.tensorj.backend.cpu.BlasProvider.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link BlasProvider}'s rule on made-up CPUs and class paths, and what this JVM chose. */
class BlasProviderTest {
    private static final String INTEL = "GenuineIntel";
    private static final String AMD = "AuthenticAMD";

    /** The whole rule as a table: property (empty: unset), CPU vendor, MKL on the class path → the BLAS. */
    @ParameterizedTest(name = "blas={0} vendor={1} mkl={2} -> {3}")
    @CsvSource({
        // By default: MKL only on Intel CPUs, and only when the application added it.
        ",         GenuineIntel, true,  MKL",
        ",         AuthenticAMD, true,  OPENBLAS",
        ",         unknown,      true,  OPENBLAS",
        ",         HygonGenuine, true,  OPENBLAS",
        ",         GenuineIntel, false, OPENBLAS",
        ",         AuthenticAMD, false, OPENBLAS",
        "auto,     GenuineIntel, true,  MKL",
        "AUTO,     AuthenticAMD, true,  OPENBLAS",
        // Forcing MKL works on any CPU, but cannot conjure it up.
        "mkl,      AuthenticAMD, true,  MKL",
        "mkl,      unknown,      true,  MKL",
        " MKL ,    GenuineIntel, true,  MKL",
        "mkl,      GenuineIntel, false, OPENBLAS",
        // Forcing OpenBLAS wins even on Intel with MKL present.
        "openblas, GenuineIntel, true,  OPENBLAS",
        "OpenBLAS, GenuineIntel, true,  OPENBLAS",
        "openblas, AuthenticAMD, false, OPENBLAS",
        // A value it does not know keeps the default library, OpenBLAS, whatever the CPU.
        "mlk,      GenuineIntel, true,  OPENBLAS",
        "true,     GenuineIntel, true,  OPENBLAS",
    })
    void picksWhatTheRuleSays(String property, String vendor, boolean mkl, Kind expected) {
        Choice c = BlasProvider.choose(property, vendor, mkl);
        assertEquals(expected, c.kind(), c::reason);
        assertTrue(!c.reason().isBlank());
    }

    /** The reason in the log names what decided, so a user can see why MKL is or is not used. */
    @Test
    void reasonSaysWhy() {
        assertTrue(BlasProvider.choose(null, INTEL, true).reason().contains("Intel"));
        assertTrue(BlasProvider.choose(null, INTEL, true).reason().contains("-Dtensorj.cpu.blas=openblas"));
        String amd = BlasProvider.choose(null, AMD, true).reason();
        assertTrue(amd.contains(AMD) && amd.contains("-Dtensorj.cpu.blas=mkl"), amd);
        assertTrue(BlasProvider.choose(null, INTEL, false).reason().contains("not on the class path"));
        String missing = BlasProvider.choose("mkl", AMD, false).reason();
        assertTrue(missing.contains("=mkl") && missing.contains("not on the class path"), missing);
        assertTrue(BlasProvider.choose("openblas", INTEL, true).reason().contains("=openblas"));
        String typo = BlasProvider.choose("mlk", INTEL, true).reason();
        assertTrue(typo.contains("mlk") && typo.contains("auto, mkl, openblas"), typo);
    }

    @Test
    void readsTheVendorFromCpuinfo() {
        List<String> amd = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 25",
                "processor\t: 1", "vendor_id\t: AuthenticAMD");
        assertEquals(AMD, BlasProvider.cpuVendor(amd));
        assertEquals(INTEL, BlasProvider.cpuVendor(List.of("processor : 0", "vendor_id : GenuineIntel ")));
        // "model name" mentions Intel but is not the vendor field; no vendor field at all is unknown.
        assertEquals("unknown", BlasProvider.cpuVendor(List.of("model name\t: Intel(R) Xeon(R)", "flags\t: fma")));
        assertEquals("unknown", BlasProvider.cpuVendor(List.of()));
    }

    /** This machine's vendor, as the rule sees it (on Linux, from /proc/cpuinfo). */
    @Test
    void readsThisMachinesVendor() {
        String vendor = BlasProvider.cpuVendor();
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "only Linux has /proc/cpuinfo");
        assertTrue(!vendor.isEmpty() && !vendor.equals("unknown"), vendor);
    }

    /** What this JVM linked agrees with the rule on this machine's vendor, property and class path. */
    @Test
    void thisJvmUsesWhatTheRulePicks() {
        assumeTrue(JniBlas.AVAILABLE, () -> "no BLAS on the arrays here: " + JniBlas.unavailableReason());
        Choice expected = BlasProvider.choose(System.getProperty(BlasProvider.PROPERTY), BlasProvider.cpuVendor(),
                BlasProvider.mklOnClassPath());
        BlasProvider.Library lib = JniBlas.library();
        assertEquals(expected.kind(), lib.kind(), lib.reason());
        assertTrue(lib.reason().startsWith(expected.reason()), lib.reason());
        assertTrue(JniBlas.describe().startsWith(lib.kind().label + " "), JniBlas::describe);
        assertTrue(JniBlas.describe().contains(expected.reason()), JniBlas::describe);
    }
}

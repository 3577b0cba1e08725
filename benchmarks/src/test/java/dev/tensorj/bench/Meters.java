package dev.tensorj.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.stream.Collectors;

/**
 * A reading of what the JVM and the machine have done so far: heap bytes allocated by all live
 * threads, garbage-collection time, this process's CPU time and the whole machine's busy time.
 * The difference of two readings says what happened in between, including how much CPU other
 * processes took (a disturbed measurement shows up there).
 */
final class Meters {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    /** USER_HZ of /proc/stat; 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100;

    final long nanos = System.nanoTime();
    final long heapBytes = heapAllocated();
    final long gcMillis = gcMillis();
    final long gcCount = gcCount();
    final long ownCpuNanos = OS.getProcessCpuTime();
    final long machineBusyTicks = machineBusyTicks();

    static Meters now() {
        return new Meters();
    }

    double seconds(Meters earlier) {
        return (nanos - earlier.nanos) / 1e9;
    }

    /** Cores' worth of CPU that other processes used in between (0 on a quiet machine). */
    double otherCores(Meters earlier) {
        double busy = (machineBusyTicks - earlier.machineBusyTicks) / TICKS_PER_SECOND;
        double own = (ownCpuNanos - earlier.ownCpuNanos) / 1e9;
        return Math.max(0, (busy - own) / seconds(earlier));
    }

    /**
     * CPU time of the calling thread in nanoseconds: unlike the wall clock it leaves out the time
     * the thread waited for a CPU while other processes (or this JVM's GC and compiler threads) ran.
     */
    static long threadCpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** Heap bytes allocated by the threads alive now; threads that died in between are missed. */
    private static long heapAllocated() {
        long sum = 0;
        for (long b : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    private static long gcCount() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionCount());
        }
        return sum;
    }

    /** Seconds this process has spent in {@link #awaitQuiet} so far; capped by its callers' budget. */
    private static double waited;

    /**
     * Waits, one second at a time, until other processes use at most {@code maxOtherCores}, for at
     * most {@code budgetSeconds} in this JVM's whole life (so a colleague's long job cannot stall
     * the suite). Returns whether the machine was quiet at the end.
     */
    static boolean awaitQuiet(double maxOtherCores, double budgetSeconds) {
        while (true) {
            Meters m0 = now();
            Timing.pause(1000);
            Meters m1 = now();
            if (m1.otherCores(m0) <= maxOtherCores) {
                return true;
            }
            waited += m1.seconds(m0);
            if (waited >= budgetSeconds) {
                return false;
            }
        }
    }

    static double waitedSeconds() {
        return waited;
    }

    static String collectors() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(" + "));
    }

    /** user + nice + system + irq + softirq + steal of the "cpu" line of /proc/stat. */
    private static long machineBusyTicks() {
        String first = Environment.read("/proc/stat").lines().findFirst().orElse("");
        String[] f = first.trim().split("\\s+");
        if (f.length < 9 || !f[0].equals("cpu")) {
            return 0;
        }
        long busy = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            busy += Long.parseLong(f[i]);
        }
        return busy;
    }
}

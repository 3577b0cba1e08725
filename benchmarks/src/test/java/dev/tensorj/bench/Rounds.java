package dev.tensorj.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures several contenders (the same operation in different libraries) in interleaved rounds:
 * each round gives every contender one short slot, the first contender rotating from round to
 * round. This machine is a 2-vCPU guest whose speed changes for seconds at a time (a 20 µs step
 * runs at 19 µs for a while, then at 33 µs, with no other process in the guest), so timing one
 * library for 3 s and then the other compares different machines; interleaving gives every
 * contender the same mix of fast and slow phases. A round in which other processes in the guest
 * took more than {@link #DISTURBED_CORES} cores in any slot is thrown away and run again once the
 * machine is quiet (waiting at most {@link #WAIT_BUDGET_SECONDS} per JVM, and at most as many extra
 * rounds as planned; after that disturbed rounds are kept and flagged).
 */
final class Rounds {
    static final double DISTURBED_CORES = 0.25;
    /** The most a JVM waits, over its whole run, for other processes to go quiet after a dropped round. */
    static final double WAIT_BUDGET_SECONDS = 60;
    /** Between slots, so that spinning OpenBLAS/OpenMP workers of the previous contender sleep. */
    static final long PAUSE_MS = 100;

    private Rounds() {}

    /**
     * What one slot measured: per block, milliseconds per operation by the wall clock ({@code ms})
     * and by the timing thread's CPU time ({@code cpuMs}, which misses work done on other threads).
     */
    record Slot(double[] ms, double[] cpuMs, long ops, double seconds, long gcMillis, long gcCount, double otherCores) {}

    /** One library's operation; accumulates the samples of the rounds that were kept. */
    static final class Contender {
        final String impl;
        final Runnable op;
        final int perBlock;
        final List<Double> ms = new ArrayList<>();
        long ops;
        double seconds;
        long gcMillis;
        long gcCount;
        double otherCoreSeconds;
        int slots;
        int disturbedKept;

        /**
         * {@code blockSeconds}: how long one sample should take (0: one operation per sample); the
         * operation is run for 0.2 s first to find how many operations make a block.
         */
        Contender(String impl, Runnable op, double blockSeconds) {
            this(perBlock(op, blockSeconds, false), impl, op);
        }

        private Contender(int perBlock, String impl, Runnable op) {
            this.impl = impl;
            this.op = op;
            this.perBlock = perBlock;
        }

        /**
         * A contender whose blocks are {@code perBlock} operations, decided by the caller (so that
         * contenders in different JVMs can time blocks of the same length).
         */
        static Contender withBlock(String impl, Runnable op, int perBlock) {
            return new Contender(perBlock, impl, op);
        }

        /**
         * How many operations make a block of {@code blockSeconds}, from 0.2 s of them (at least 3)
         * measured by the wall clock or, with {@code cpuTime}, by this thread's CPU time, which a
         * busy machine does not stretch.
         */
        static int perBlock(Runnable op, double blockSeconds, boolean cpuTime) {
            long t0 = cpuTime ? Meters.threadCpuNanos() : System.nanoTime();
            long spent = 0;
            int n = 0;
            while (n < 3 || spent < 200_000_000L) {
                op.run();
                n++;
                spent = (cpuTime ? Meters.threadCpuNanos() : System.nanoTime()) - t0;
            }
            return (int) Math.max(1, Math.round(blockSeconds / (spent / 1e9 / n)));
        }

        /** Runs blocks for {@code seconds} (at least {@code minBlocks}) after a short pause. */
        Slot slot(double seconds, int minBlocks) {
            Timing.pause(PAUSE_MS);
            List<Double> local = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            Meters m0 = Meters.now();
            long end = m0.nanos + (long) (seconds * 1e9);
            while (local.size() < minBlocks || System.nanoTime() < end) {
                long c = Meters.threadCpuNanos();
                long t = System.nanoTime();
                for (int i = 0; i < perBlock; i++) {
                    op.run();
                }
                long e = System.nanoTime();
                cpu.add((Meters.threadCpuNanos() - c) / 1e6 / perBlock);
                local.add((e - t) / 1e6 / perBlock);
            }
            Meters m1 = Meters.now();
            return new Slot(local.stream().mapToDouble(Double::doubleValue).toArray(),
                    cpu.stream().mapToDouble(Double::doubleValue).toArray(), (long) local.size() * perBlock,
                    m1.seconds(m0), m1.gcMillis - m0.gcMillis, m1.gcCount - m0.gcCount, m1.otherCores(m0));
        }

        void keep(Slot s, boolean disturbed) {
            for (double v : s.ms()) {
                ms.add(v);
            }
            ops += s.ops();
            seconds += s.seconds();
            gcMillis += s.gcMillis();
            gcCount += s.gcCount();
            otherCoreSeconds += s.otherCores() * s.seconds();
            slots++;
            if (disturbed) {
                disturbedKept++;
            }
        }

        Timing.Samples samples() {
            return new Timing.Samples(ms.stream().mapToDouble(Double::doubleValue).toArray(), ops);
        }

        /** ops, slots, GC share, mean other-process load over the kept slots. */
        Map<String, String> info() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("ops", String.valueOf(ops));
            m.put("slots", String.valueOf(slots));
            m.put("per_block", String.valueOf(perBlock));
            m.put("timed_s", fmt(seconds));
            m.put("gc_ms", String.valueOf(gcMillis));
            m.put("gc_count", String.valueOf(gcCount));
            m.put("gc_share", fmt(gcMillis / 1e3 / seconds));
            m.put("other_cores", fmt(otherCoreSeconds / seconds));
            m.put("disturbed_slots_kept", String.valueOf(disturbedKept));
            return m;
        }
    }

    /**
     * Runs {@code rounds} kept rounds of one slot per contender; returns how many disturbed rounds
     * were thrown away.
     */
    static int run(List<Contender> contenders, int rounds, double slotSeconds, int minBlocksPerSlot) {
        int dropped = 0;
        int kept = 0;
        for (int r = 0; kept < rounds; r++) {
            List<Slot> slots = new ArrayList<>();
            List<Contender> order = new ArrayList<>();
            for (int i = 0; i < contenders.size(); i++) {
                Contender c = contenders.get((r + i) % contenders.size());
                order.add(c);
                slots.add(c.slot(slotSeconds, minBlocksPerSlot));
            }
            double worst = slots.stream().mapToDouble(Slot::otherCores).max().orElse(0);
            boolean disturbed = worst > DISTURBED_CORES;
            if (disturbed && dropped < rounds) {
                dropped++;
                System.out.printf(Locale.ROOT, "  round dropped: other processes took %.2f cores%n", worst);
                Meters.awaitQuiet(DISTURBED_CORES / 2, WAIT_BUDGET_SECONDS);
                continue;
            }
            for (int i = 0; i < order.size(); i++) {
                order.get(i).keep(slots.get(i), disturbed);
            }
            kept++;
        }
        return dropped;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}

package dev.tensorj.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@link Rounds} across JVMs: contenders that must live in different JVMs (1 thread against 2,
 * counters on against off) take turns, one slot each per round, the first rotating, on the
 * parent's command ({@code SuiteWorker serve}). A round in which other processes took more than
 * {@link Rounds#DISTURBED_CORES} in any slot is thrown away and run again once the machine is quiet
 * (as in {@link Rounds}).
 */
final class Turns {
    private Turns() {}

    /** One contender in one child JVM, and where its result goes. */
    static final class Seat {
        final ChildJvm child;
        final String contender;
        final String section;
        final String name;
        final String impl;
        final Map<String, String> info;
        private final List<Double> ms = new ArrayList<>();
        private final List<Double> roundMedians = new ArrayList<>();
        private final List<Double> cpuMs = new ArrayList<>();
        private final List<Double> cpuRoundMedians = new ArrayList<>();
        private long ops;
        private double seconds;
        private long gcMillis;
        private long gcCount;
        private double otherCoreSeconds;
        private int disturbedKept;

        Seat(ChildJvm child, String contender, String section, String name, String impl, Map<String, String> info) {
            this.child = child;
            this.contender = contender;
            this.section = section;
            this.name = name;
            this.impl = impl;
            this.info = new LinkedHashMap<>(info);
        }

        /** SLOT other-cores gc-ms gc-count seconds ops ms,ms,… cpu-ms,cpu-ms,… */
        private String[] slot(double slotSeconds) throws Exception {
            child.send("slot " + slotSeconds + " " + contender);
            return child.await("SLOT ").split(" ");
        }

        private void keep(String[] f, boolean disturbed) {
            double[] v = Arrays.stream(f[6].split(",")).mapToDouble(Double::parseDouble).toArray();
            for (double x : v) {
                ms.add(x);
            }
            roundMedians.add(new Timing.Samples(v).median());
            double[] cpu = Arrays.stream(f[7].split(",")).mapToDouble(Double::parseDouble).toArray();
            for (double x : cpu) {
                cpuMs.add(x);
            }
            cpuRoundMedians.add(new Timing.Samples(cpu).median());
            double s = Double.parseDouble(f[4]);
            otherCoreSeconds += Double.parseDouble(f[1]) * s;
            gcMillis += Long.parseLong(f[2]);
            gcCount += Long.parseLong(f[3]);
            seconds += s;
            ops += Long.parseLong(f[5]);
            if (disturbed) {
                disturbedKept++;
            }
        }

        Results.Result result(int dropped) {
            Map<String, String> m = new LinkedHashMap<>(info);
            m.put("ops", String.valueOf(ops));
            m.put("slots", String.valueOf(roundMedians.size()));
            m.put("timed_s", Rounds.fmt(seconds));
            m.put("gc_ms", String.valueOf(gcMillis));
            m.put("gc_count", String.valueOf(gcCount));
            m.put("gc_share", Rounds.fmt(gcMillis / 1e3 / seconds));
            m.put("other_cores", Rounds.fmt(otherCoreSeconds / seconds));
            m.put("disturbed_slots_kept", String.valueOf(disturbedKept));
            m.put("rounds_dropped", String.valueOf(dropped));
            m.put("round_medians", roundMedians.stream().map(Rounds::fmt).collect(Collectors.joining(",")));
            // The timing thread's CPU time of the same blocks (the wall clock's are the samples).
            m.put("cpu_round_medians", cpuRoundMedians.stream().map(Rounds::fmt).collect(Collectors.joining(",")));
            m.put("cpu_ms", cpuMs.stream().map(Rounds::fmt).collect(Collectors.joining(",")));
            return new Results.Result(section, name, impl, m,
                    new Timing.Samples(ms.stream().mapToDouble(Double::doubleValue).toArray(), ops));
        }
    }

    /** Runs {@code rounds} kept rounds over the seats and returns one result per seat. */
    static List<Results.Result> run(List<Seat> seats, int rounds, double slotSeconds) throws Exception {
        int dropped = 0;
        int kept = 0;
        for (int r = 0; kept < rounds; r++) {
            List<Seat> order = new ArrayList<>();
            List<String[]> slots = new ArrayList<>();
            double worst = 0;
            for (int i = 0; i < seats.size(); i++) {
                Seat s = seats.get((r + i) % seats.size());
                String[] f = s.slot(slotSeconds);
                order.add(s);
                slots.add(f);
                worst = Math.max(worst, Double.parseDouble(f[1]));
            }
            boolean disturbed = worst > Rounds.DISTURBED_CORES;
            if (disturbed && dropped < rounds) {
                dropped++;
                System.out.printf(Locale.ROOT, "  round dropped: other processes took %.2f cores%n", worst);
                Meters.awaitQuiet(Rounds.DISTURBED_CORES / 2, Rounds.WAIT_BUDGET_SECONDS);
                continue;
            }
            for (int i = 0; i < order.size(); i++) {
                order.get(i).keep(slots.get(i), disturbed);
            }
            kept++;
        }
        List<Results.Result> out = new ArrayList<>();
        for (Seat s : seats) {
            out.add(s.result(dropped));
        }
        return out;
    }
}

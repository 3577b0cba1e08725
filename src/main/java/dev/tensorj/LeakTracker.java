package dev.tensorj;

import dev.tensorj.LeakReport.Allocation;
import dev.tensorj.backend.Storage;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leak-report mode (off by default): every storage allocated while it is on is remembered with the
 * stack that allocated it until it is freed by {@code close()}. One that is garbage collected
 * without being closed is logged once with that stack. Costs a stack capture per allocation, so it
 * is a debugging mode; {@link LeakReport} is its public face.
 */
final class LeakTracker {
    private static final Logger LOG = LoggerFactory.getLogger("dev.tensorj.LeakReport");
    private static final Cleaner CLEANER = Cleaner.create();
    private static final ConcurrentHashMap<Long, Allocation> LIVE = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static final AtomicLong LEAKED = new AtomicLong();
    private static final int FULL_REPORTS = 10;
    private static volatile boolean enabled = Boolean.getBoolean("tensorj.leakReport");

    private LeakTracker() {}

    static void setEnabled(boolean on) {
        enabled = on;
    }

    static boolean isEnabled() {
        return enabled;
    }

    /** Called for every new storage; records it under a tracking id kept in its tag (0 when not tracking). */
    static void track(Storage s, Device device) {
        if (!enabled) {
            return;
        }
        long id = IDS.incrementAndGet();
        StackTraceElement[] stack = userFrames();
        LIVE.put(id, new Allocation(id, device, DType.of(s.type()), s.numel(), Thread.currentThread().getName(), stack));
        s.tag(id);
        CLEANER.register(s, () -> collected(id));
    }

    /** Called when a tracked storage is freed by its last close. */
    static void freed(Storage s) {
        if (s.tag() != 0) {
            LIVE.remove(s.tag());
        }
    }

    private static void collected(long id) {
        Allocation a = LIVE.remove(id);
        if (a == null) {
            return;
        }
        // The first leaks in full, then a count now and then: a leaking loop must not flood the log.
        long n = LEAKED.incrementAndGet();
        if (n <= FULL_REPORTS) {
            LOG.warn("LEAK: a tensor was garbage collected without close(); {}", a);
        } else if (n % 10_000 == 0) {
            LOG.warn("LEAK: {} tensors garbage collected without close() so far (the first {} were logged in full)",
                    n, FULL_REPORTS);
        }
    }

    /** How many tracked tensors were collected without close() since the mode was first enabled. */
    static long leakedCount() {
        return LEAKED.get();
    }

    /** Tracked storages not yet closed nor collected. */
    static List<Allocation> live() {
        List<Allocation> out = new ArrayList<>(LIVE.values());
        out.sort((x, y) -> Long.compare(x.id(), y.id()));
        return out;
    }

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final java.security.CodeSource LIBRARY = LeakTracker.class.getProtectionDomain().getCodeSource();

    /** The allocating stack without tensorj's own frames (those loaded from the library's jar or folder). */
    private static StackTraceElement[] userFrames() {
        return WALKER.walk(frames -> frames
                .dropWhile(f -> java.util.Objects.equals(f.getDeclaringClass().getProtectionDomain().getCodeSource(),
                        LIBRARY))
                .limit(8)
                .map(StackWalker.StackFrame::toStackTraceElement)
                .toArray(StackTraceElement[]::new));
    }
}

package dev.tensorj.optim;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * What PyTorch keeps in an optimizer's parameter groups for its schedulers, kept here beside the
 * optimizer (which holds a float rate per group): each group's {@code initial_lr}, recorded by the first
 * scheduler built on the optimizer, and the exact double rate the schedulers last set.
 *
 * <p>PyTorch computes learning rates in Python floats (doubles); the optimizer here holds a float.
 * A recursive (chainable) schedule that read back the float would drift from PyTorch's values step
 * after step, so schedulers read the double they set last, as long as the optimizer's rate is still
 * that double rounded to float; when someone else set the rate since ({@link Optimizer#setLr}), they
 * read that rate, as PyTorch's recursive forms read {@code group["lr"]}.
 *
 * <p>The rates are kept per parameter group, from the groups the optimizer had when its first
 * scheduler was built (PyTorch's schedulers, too, cover the groups that existed then).
 */
final class GroupLrs {
    private static final Map<Optimizer, GroupLrs> BY_OPTIMIZER = new WeakHashMap<>();

    private double[] initial;
    private double[] exact;

    private GroupLrs(Optimizer optimizer) {
        exact = new double[groups(optimizer)];
        for (int g = 0; g < exact.length; g++) {
            exact[g] = optimizer.lr(g);
        }
    }

    /**
     * The record for {@code optimizer}, grown to a group added since ({@link Optimizer#addParamGroup}):
     * its exact rate and {@code initial_lr} start at its current rate (PyTorch's
     * {@code group.setdefault("initial_lr", group["lr"])}).
     */
    private static GroupLrs of(Optimizer optimizer) {
        GroupLrs s = BY_OPTIMIZER.computeIfAbsent(optimizer, GroupLrs::new);
        int n = optimizer.numParamGroups();
        if (s.exact.length < n) {
            int old = s.exact.length;
            s.exact = java.util.Arrays.copyOf(s.exact, n);
            if (s.initial != null) {
                s.initial = java.util.Arrays.copyOf(s.initial, n);
            }
            for (int g = old; g < n; g++) {
                s.exact[g] = optimizer.lr(g);
                if (s.initial != null) {
                    s.initial[g] = optimizer.lr(g);
                }
            }
        }
        return s;
    }

    /** The number of parameter groups of {@code optimizer}. */
    static int groups(Optimizer optimizer) {
        return optimizer.numParamGroups();
    }

    /**
     * Each group's {@code initial_lr}: recorded from the current rates by the first call for this
     * optimizer, then the same (PyTorch's {@code group.setdefault("initial_lr", group["lr"])}).
     */
    static synchronized double[] initialLrs(Optimizer optimizer) {
        GroupLrs s = of(optimizer);
        if (s.initial == null) {
            s.initial = lrs(optimizer);
        }
        return s.initial.clone();
    }

    /** Replaces each group's {@code initial_lr} (OneCycleLR's start, a loaded state dict). */
    static synchronized void setInitialLrs(Optimizer optimizer, double[] lrs) {
        of(optimizer).initial = lrs.clone();
    }

    /** Group {@code g}'s rate: the double last set here if the optimizer still holds it as a float. */
    static synchronized double lr(Optimizer optimizer, int g) {
        GroupLrs s = BY_OPTIMIZER.get(optimizer);
        float current = optimizer.lr(g);
        return s != null && g < s.exact.length && (float) s.exact[g] == current ? s.exact[g] : current;
    }

    /** Every group's rate, as {@link #lr}. */
    static synchronized double[] lrs(Optimizer optimizer) {
        double[] lrs = new double[groups(optimizer)];
        for (int g = 0; g < lrs.length; g++) {
            lrs[g] = lr(optimizer, g);
        }
        return lrs;
    }

    /**
     * Sets group {@code g}'s rate to {@code lr} (rounded to float in the optimizer) and remembers the
     * double.
     *
     * @throws IllegalArgumentException if {@code lr} is negative or NaN (nothing changes)
     */
    static synchronized void setLr(Optimizer optimizer, int g, double lr) {
        optimizer.setLr(g, (float) lr);
        of(optimizer).exact[g] = lr;
    }

    /** Remembers {@code lr} as group {@code g}'s exact rate without setting it (a loaded state dict). */
    static synchronized void rememberLr(Optimizer optimizer, int g, double lr) {
        of(optimizer).exact[g] = lr;
    }
}

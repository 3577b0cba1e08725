package dev.tensorj;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode autograd: records an op only when an input requires grad, walks the graph in
 * reverse topological order on {@code backward()}, sums broadcast gradients back to each input's
 * shape (the one place that un-broadcasts) and accumulates into the leaves' {@code grad}.
 */
final class Autograd {
    private Autograd() {}

    /** For ops whose backward rule reads no tensor's values (only shapes). */
    static final Tensor[] NOTHING_SAVED = new Tensor[0];

    /**
     * Attaches {@code rule} to {@code out} if grad mode is on and any input requires grad.
     * {@code saved} lists the tensors whose values the rule reads: backward checks that none was
     * modified in place since.
     */
    static void record(Tensor out, String op, Tensor[] inputs, Tensor[] saved, GradFn.Rule rule) {
        if (needsGraph(inputs)) {
            out.setGradFn(new GradFn(op, out.device(), inputs, saved, rule));
        }
    }

    /** As {@link #record}, for a user's rule ({@link AutogradFunction}): see {@link GradFn#userRule}. */
    static void recordUserRule(Tensor out, String op, Tensor[] inputs, Tensor[] saved, GradFn.Rule rule) {
        if (needsGraph(inputs)) {
            out.setGradFn(new GradFn(op, out.device(), inputs, saved, rule, true));
        }
    }

    /**
     * As {@link #needsGraph(Tensor...)} for one input. The one- and two-input forms take no varargs
     * array: ops ask before they build their node's arrays and rule, so that an op that records
     * nothing (under no-grad: in a backward pass, in an optimizer step) allocates none of them.
     */
    static boolean needsGraph(Tensor a) {
        return NoGrad.isGradEnabled() && a != null && a.requiresGrad();
    }

    /** As {@link #needsGraph(Tensor...)} for two inputs. */
    static boolean needsGraph(Tensor a, Tensor b) {
        return NoGrad.isGradEnabled() && (a != null && a.requiresGrad() || b != null && b.requiresGrad());
    }

    /** Whether an op on {@code inputs} is recorded: grad mode is on and an input requires grad. */
    static boolean needsGraph(Tensor... inputs) {
        if (!NoGrad.isGradEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code seedOwned}: nothing outside this walk holds {@code seed} (backward() made it), so a
     * leaf may keep it as its gradient. The walk goes over graph nodes: a {@link GradFn}, or a leaf
     * tensor that requires grad.
     *
     * <p>A gradient that only this walk holds is closed as soon as it is consumed (a rule read it,
     * it was added into a sum, reduced to an input's shape, or copied into a leaf's grad), so that
     * its memory serves the next tensor of its size; never one that a leaf keeps, the caller's seed,
     * or one that went into or came out of a user's {@link AutogradFunction}. The graph's own
     * tensors (inputs, saved tensors) are never gradients, so retainGraph changes nothing here.
     */
    static void backward(Tensor root, Tensor seed, boolean seedOwned, boolean retainGraph) {
        Walk walk = Walk.acquire();
        try {
            walk(walk, root, seed, seedOwned, retainGraph);
        } finally {
            walk.release();
        }
    }

    private static void walk(Walk walk, Tensor root, Tensor seed, boolean seedOwned, boolean retainGraph) {
        Object start = root.gradFn() != null ? root.gradFn() : root;
        List<Object> order = walk.topologicalOrder(start);
        checkNoGradientLeavesMeta(order);
        Map<Object, Tensor> grads = walk.grads;
        // The gradient tensors that only this walk holds (those the rules made, and pass-throughs of
        // them), with how many entries of `grads` hold each. A leaf keeps such a tensor when it holds
        // the last reference; anything else (the caller's seed, add's {g, g}) is copied, so that
        // no two leaves, nor a leaf and the caller, share a Tensor that closing one would close.
        Map<Tensor, Integer> holders = walk.holders;
        // Tensors a user's backward saw or made: it may keep them, so the walk never closes them
        // (empty unless the graph has a user rule: most graphs have none).
        Set<Tensor> escaped = walk.escaped;
        List<Tensor> consumed = walk.consumed;
        grads.put(start, seed);
        if (seedOwned) {
            holders.put(seed, 1);
        }
        boolean anomaly = AnomalyMode.isEnabled();
        boolean gradWasEnabled = NoGrad.suspend(); // the rules' ops are not recorded
        try {
            // Indexed loops here and below: the walk allocates no iterators.
            for (int n = 0; n < order.size(); n++) {
                Object node = order.get(n);
                Tensor g = grads.remove(node);
                if (g == null) {
                    continue;
                }
                Integer held = holders.remove(g);
                if (held != null && held > 1) {
                    holders.put(g, held - 1);
                }
                if (node instanceof Tensor) {
                    Tensor leaf = (Tensor) node;
                    leaf.accumulateGrad(g, held != null && held == 1);
                    if (held != null && held == 1 && leaf.gradUnshared() != g && !escaped.contains(g)) {
                        g.close(); // added to the leaf's grad, or copied into it
                    }
                    continue;
                }
                GradFn fn = (GradFn) node;
                Tensor[] inputs = fn.inputs();
                Object[] nodes = fn.nodes();
                Tensor[] inputGrads = fn.apply(g);
                if (fn.userRule) {
                    escaped.add(g);
                    Collections.addAll(escaped, inputGrads);
                }
                if (held != null) {
                    consumed.add(g);
                }
                for (int i = 0; i < inputs.length; i++) {
                    Tensor made = inputGrads[i];
                    if (made == null) {
                        continue;
                    }
                    if (made != g) { // rules return g itself or tensors they made
                        consumed.add(made);
                    }
                    if (nodes[i] == null) {
                        continue;
                    }
                    Tensor gi = sumToShape(made, inputs[i].shapeRef());
                    if (anomaly) {
                        AnomalyMode.check(fn, i, inputs[i], gi);
                    }
                    Tensor prev = grads.get(nodes[i]);
                    if (prev == null) {
                        grads.put(nodes[i], gi);
                        if (gi != g || held != null) {
                            holders.merge(gi, 1, Integer::sum);
                        }
                    } else {
                        Tensor sum = prev.add(gi);
                        Integer prevHeld = holders.get(prev);
                        if (prevHeld != null) {
                            if (prevHeld > 1) {
                                holders.put(prev, prevHeld - 1);
                            } else {
                                holders.remove(prev);
                                consumed.add(prev);
                            }
                        }
                        grads.put(nodes[i], sum);
                        holders.put(sum, 1);
                        if (gi != made) {
                            gi.close(); // sumToShape's result, read by the add alone
                        }
                    }
                }
                // Closed only now: a later input of the same rule may still pass one of them on.
                for (int c = 0; c < consumed.size(); c++) {
                    Tensor t = consumed.get(c);
                    if (!holders.containsKey(t) && !escaped.contains(t)) {
                        t.close();
                    }
                }
                consumed.clear();
                if (!retainGraph) {
                    fn.free();
                }
            }
        } finally {
            NoGrad.restore(gradWasEnabled);
        }
    }

    /**
     * The working sets of a backward pass, kept by each thread and cleared after every pass, so that
     * a training step's backward allocates no maps, lists or stacks (they were a third of a small
     * step's heap); the depth-first stack is two arrays, not an array per node. A pass that starts
     * while the thread's walk is in use (a backward() inside a user's backward rule) gets one of its
     * own, and a walk grown by a large graph is dropped rather than kept.
     *
     * <p>A walk serves {@link #PASSES} passes, then the next pass makes a new one. A walk kept for
     * good is soon promoted to the old generation, and then every reference a pass stores into its
     * tables crosses generations: under G1 such a store takes the write barrier's slow path, and the
     * S1 step took 3.4 µs of CPU instead of 2.2 with a walk made per pass (2026-12-05, 2 vCPUs).
     * Replaced every few hundred passes, a walk dies young (the next young collection is megabytes of
     * allocation away) and costs a few bytes a pass: 2.3 µs.
     */
    private static final class Walk {
        private static final ThreadLocal<Walk> OF_THREAD = ThreadLocal.withInitial(Walk::new);
        private static final int PASSES = 256;
        private static final int KEPT_NODES = 4096;
        private static final Object[] NO_CHILDREN = new Object[0];
        private static final int SMALL = 8;

        final List<Object> order = new ArrayList<>(SMALL);
        final Map<Object, Object> visited = new IdentityHashMap<>(SMALL);
        final Map<Object, Tensor> grads = new IdentityHashMap<>(SMALL);
        final Map<Tensor, Integer> holders = new IdentityHashMap<>(SMALL);
        final Set<Tensor> escaped = Collections.newSetFromMap(new IdentityHashMap<>(SMALL));
        final List<Tensor> consumed = new ArrayList<>(SMALL);
        /** The depth-first stack: a node and the index of its next input to visit. */
        private Object[] stackNodes = new Object[SMALL];
        private int[] stackNext = new int[SMALL];
        private boolean inUse;
        private int passes;

        static Walk acquire() {
            Walk w = OF_THREAD.get();
            if (w.inUse) {
                return new Walk(); // nested pass: not this thread's kept walk
            }
            if (++w.passes > PASSES) {
                w = new Walk();
                w.passes = 1;
                OF_THREAD.set(w);
            }
            w.inUse = true;
            return w;
        }

        void release() {
            boolean large = order.size() > KEPT_NODES;
            order.clear();
            visited.clear();
            grads.clear();
            holders.clear();
            escaped.clear();
            consumed.clear();
            Arrays.fill(stackNodes, null);
            if (OF_THREAD.get() == this) {
                inUse = false;
                if (large) {
                    OF_THREAD.remove();
                }
            }
        }

        /** Root first; every node before the nodes it was computed from. Iterative: graphs can be deep. */
        List<Object> topologicalOrder(Object root) {
            int depth = 0;
            visited.put(root, root);
            push(depth++, root);
            while (depth > 0) {
                Object top = stackNodes[depth - 1];
                Object[] children = top instanceof GradFn ? ((GradFn) top).nodes() : NO_CHILDREN;
                int next = stackNext[depth - 1];
                if (next < children.length) {
                    stackNext[depth - 1] = next + 1;
                    Object child = children[next];
                    if (child != null && visited.put(child, child) == null) {
                        push(depth++, child);
                    }
                } else {
                    stackNodes[--depth] = null;
                    order.add(top);
                }
            }
            Collections.reverse(order);
            return order;
        }

        private void push(int depth, Object node) {
            if (depth == stackNodes.length) {
                stackNodes = Arrays.copyOf(stackNodes, depth * 2);
                stackNext = Arrays.copyOf(stackNext, depth * 2);
            }
            stackNodes[depth] = node;
            stackNext[depth] = 0;
        }
    }

    /**
     * Ops keep their operands on one device, so the only edge from meta back to a device with data
     * is a {@code to(meta)}: its gradient would have to be read out of meta. Refused before any work.
     */
    private static void checkNoGradientLeavesMeta(List<Object> order) {
        for (int n = 0; n < order.size(); n++) {
            Object node = order.get(n);
            if (!(node instanceof GradFn) || !((GradFn) node).device.isMeta()) {
                continue;
            }
            GradFn fn = (GradFn) node;
            Tensor[] inputs = fn.inputs();
            Object[] nodes = fn.nodes();
            for (int i = 0; i < inputs.length; i++) {
                if (nodes[i] != null && !inputs[i].device().isMeta()) {
                    throw new MetaTensorReadException("backward", "the graph copies a tensor of shape "
                            + Shapes.str(inputs[i].shapeRef()) + " from " + inputs[i].device() + " to meta (to(meta)); "
                            + "its gradient would have to be read back out of meta, which has shapes but no data. "
                            + "Run the whole computation on cpu or cuda, or keep the leaves on meta too");
                }
            }
        }
    }

    /**
     * Sums {@code grad} over the dimensions along which an input of {@code shape} was broadcast,
     * so that e.g. a Linear bias gets the batch sum with no code of its own. Returns {@code grad}
     * itself or a new tensor; the partial sums between are closed.
     */
    static Tensor sumToShape(Tensor grad, int[] shape) {
        int[] gs = grad.shapeRef();
        if (Arrays.equals(gs, shape)) {
            return grad;
        }
        Tensor g = grad;
        int lead = gs.length - shape.length;
        for (int i = 0; i < lead; i++) {
            g = sumClosing(g, grad, 0, false);
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1 && g.shapeRef()[d] != 1) {
                g = sumClosing(g, grad, d, true);
            }
        }
        return g;
    }

    /** {@code g.sum(dim, keepDim)}, closing {@code g} unless it is {@code original} (the caller's). */
    private static Tensor sumClosing(Tensor g, Tensor original, int dim, boolean keepDim) {
        Tensor next = g.sum(dim, keepDim);
        if (g != original) {
            g.close();
        }
        return next;
    }
}

package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.CheckDevices;
import dev.tensorj.junit.DevicesSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The error matrix (issue 13, item 5), over every public method of {@link Tensor} and
 * {@link Functional}, found by reflection so that a new op is covered the day it lands:
 * <ul>
 *   <li>each tensor operand (the receiver counts) on another device than the rest: a
 *       {@link DeviceMismatchException} naming both devices and the fix, thrown before any work on
 *       either device — for every pair of cpu, cuda and meta;</li>
 *   <li>each tensor operand closed: a {@link TensorClosedException} naming the op and the role,
 *       before any work — on every device.</li>
 * </ul>
 * Values, shapes and dtypes per op are tested by each op's own test; here every argument is
 * otherwise valid, so that the one wrong thing is what must be reported.
 */
class ErrorMatrixTest {

    /** Operands that may live on different devices, and why (each is tested where it is defined). */
    private static final Map<String, String> CROSS_DEVICE = Map.of(
            "Tensor.copy_(Tensor)", "copy_ copies across devices, as PyTorch's",
            "Tensor.setData(Tensor)", "setData replaces the storage, device included, as PyTorch's .data =",
            "Tensor.checkSameDevice(String,String,Tensor,String,Tensor)", "the check itself (CheckSameDeviceTest)");

    /**
     * What a closed tensor still answers, touching no memory: its metadata, its autograd flags and
     * gradient slot, toString, and close itself (idempotent).
     */
    private static final java.util.Set<String> READS_CLOSED = java.util.Set.of(
            "Tensor.close()", "Tensor.isClosed()", "Tensor.device()", "Tensor.dim()", "Tensor.dtype()",
            "Tensor.shape()", "Tensor.size(int)", "Tensor.numel()", "Tensor.toString()", "Tensor.isLeaf()",
            "Tensor.requiresGrad()", "Tensor.requiresGrad(boolean)", "Tensor.grad()", "Tensor.gradFnName()",
            "Tensor.zeroGrad()");

    /** Tensor arguments that must not be float32 for the call to be valid: "method slot" → dtype. */
    private static final Map<String, DType> DTYPES = Map.ofEntries(
            Map.entry("Tensor.where(Tensor,Tensor) 0", DType.BOOL),
            Map.entry("Functional.where(Tensor,Tensor,Tensor) 0", DType.BOOL),
            Map.entry("Tensor.maskedFill(Tensor,float) 0", DType.BOOL),
            Map.entry("Tensor.indexSelect(int,Tensor) 1", DType.INT64),
            Map.entry("Tensor.gather(int,Tensor) 1", DType.INT64),
            Map.entry("Tensor.scatterAdd(int,Tensor,Tensor) 1", DType.INT64),
            Map.entry("Functional.embedding(Tensor,Tensor) 0", DType.INT64),
            Map.entry("Functional.embedding(Tensor,Tensor,int) 0", DType.INT64),
            Map.entry("Functional.oneHot(Tensor,int) 0", DType.INT64),
            Map.entry("Functional.nllLoss(Tensor,Tensor) 1", DType.INT64),
            Map.entry("Functional.nllLoss(Tensor,Tensor,Tensor,long,String) 1", DType.INT64),
            Map.entry("Functional.crossEntropy(Tensor,Tensor) 1", DType.INT64),
            Map.entry("Functional.crossEntropy(Tensor,Tensor,Tensor,long,String,float) 1", DType.INT64));

    /** The shape of a tensor argument where [2, 2] does not fit: "method slot" → shape. */
    private static final Map<String, int[]> SHAPES = Map.of(
            "Functional.nllLoss(Tensor,Tensor) 1", new int[] {2},
            "Functional.nllLoss(Tensor,Tensor,Tensor,long,String) 1", new int[] {2},
            "Functional.nllLoss(Tensor,Tensor,Tensor,long,String) 2", new int[] {2},
            "Functional.crossEntropy(Tensor,Tensor) 1", new int[] {2},
            "Functional.crossEntropy(Tensor,Tensor,Tensor,long,String,float) 1", new int[] {2},
            "Functional.crossEntropy(Tensor,Tensor,Tensor,long,String,float) 2", new int[] {2},
            "Functional.binaryCrossEntropyWithLogits(Tensor,Tensor,Tensor,String,Tensor) 4", new int[] {2});

    /** One call of a public method: its key ({@code Tensor.add(Tensor)}), and where its tensors go. */
    private record Call(String key, Method method, List<Slot> slots) {
        Object invoke(Object self, Object[] args) throws Throwable {
            try {
                return method.invoke(self, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /**
     * A tensor position: {@code param} -1 is the receiver ({@code this}), else the parameter's index
     * (as in {@link PyTorchParityTest}'s null sweep); {@code element} is the index inside a
     * {@code List<Tensor>} argument (else -1).
     */
    private record Slot(int param, int element) {
        String argKey(String key) {
            return key + " " + (param < 0 ? "this" : String.valueOf(param));
        }

        String label(String key) {
            return argKey(key) + (element >= 0 ? "[" + element + "]" : "");
        }
    }

    static Stream<Arguments> devicePairs() {
        Device cuda = Device.cuda(0);
        return Stream.of(Arguments.of(Device.CPU, Device.META), Arguments.of(Device.META, Device.CPU),
                Arguments.of(Device.CPU, cuda), Arguments.of(cuda, Device.CPU), Arguments.of(cuda, Device.META));
    }


    @ParameterizedTest(name = "{0} with one operand on {1}")
    @MethodSource("devicePairs")
    @CheckDevices
    void anOperandOnAnotherDeviceIsRejectedBeforeAnyWork(Device home, Device away) throws Throwable {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Call call : calls()) {
            if (call.slots().size() < 2 || CROSS_DEVICE.containsKey(call.key())) {
                continue;
            }
            for (Slot moved : call.slots()) {
                String label = moved.label(call.key());
                Object[] built = arguments(call, home, s -> tensor(s.argKey(call.key()), s.equals(moved) ? away : home, null));
                Counters.Snapshot h = Counters.snapshot(home);
                Counters.Snapshot a = Counters.snapshot(away);
                try {
                    call.invoke(built[0], (Object[]) built[1]);
                    failures.add(label + ": no exception with that operand on " + away + " and the rest on " + home);
                } catch (DeviceMismatchException e) {
                    if (!(e.devices().contains(home) && e.devices().contains(away)
                            && e.getMessage().startsWith(e.op() + ": ") && e.getMessage().contains("move them with .to("))) {
                        failures.add(label + ": " + e.getMessage());
                    }
                } catch (Throwable t) {
                    failures.add(label + ": expected DeviceMismatchException, got " + t);
                }
                noWork(failures, label, home, h);
                noWork(failures, label, away, a);
                checked++;
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(checked > 50, "only " + checked + " operands checked: the sweep lost its methods");
    }

    @ParameterizedTest(name = "on {0}")
    @DevicesSource(meta = true)
    void aClosedOperandIsNamedBeforeAnyWork(Device device) throws Throwable {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Call call : calls()) {
            if (READS_CLOSED.contains(call.key())) {
                continue;
            }
            for (Slot closed : call.slots()) {
                String label = closed.label(call.key());
                Object[] built = arguments(call, device, s -> {
                    Tensor t = tensor(s.argKey(call.key()), device, null);
                    if (s.equals(closed)) {
                        t.close();
                    }
                    return t;
                });
                Counters.Snapshot before = Counters.snapshot(device);
                try {
                    call.invoke(built[0], (Object[]) built[1]);
                    failures.add(label + ": no exception for a closed operand");
                } catch (TensorClosedException e) {
                    if (!(e.getMessage().startsWith(e.op() + ": ") && e.getMessage().contains("was closed"))) {
                        failures.add(label + ": " + e.getMessage());
                    }
                } catch (Throwable t) {
                    failures.add(label + ": expected TensorClosedException, got " + t);
                }
                noWork(failures, label, device, before);
                checked++;
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(checked > 100, "only " + checked + " operands checked: the sweep lost its methods");
    }

    /**
     * Each tensor operand in turn given another dtype: the op takes it (PyTorch promotes or accepts
     * many mixes), or throws a {@link DTypeMismatchException} naming the op and that dtype before any
     * work, or another typed error; never an untyped one (NullPointerException, ClassCastException,
     * an index out of bounds...).
     */
    @ParameterizedTest(name = "on {0}")
    @DevicesSource(meta = true)
    void aWrongDTypeIsRejectedByNameOrAccepted(Device device) throws Throwable {
        List<String> failures = new ArrayList<>();
        int rejected = 0;
        for (Call call : calls()) {
            for (Slot slot : call.slots()) {
                DType valid = DTYPES.getOrDefault(slot.argKey(call.key()), DType.FLOAT32);
                for (DType wrong : DType.values()) {
                    if (wrong == valid) {
                        continue;
                    }
                    String label = slot.label(call.key()) + " as " + wrong;
                    Object[] built = arguments(call, device,
                            s -> tensor(s.argKey(call.key()), device, s.equals(slot) ? wrong : null));
                    Counters.Snapshot before = Counters.snapshot(device);
                    try {
                        Object out = call.invoke(built[0], (Object[]) built[1]);
                        if (out instanceof Tensor t) {
                            t.close();
                        }
                    } catch (DTypeMismatchException e) {
                        rejected++;
                        if (!(e.getMessage().startsWith(e.op() + ": ") && e.getMessage().contains(wrong.toString()))) {
                            failures.add(label + ": " + e.getMessage());
                        }
                        noWork(failures, label, device, before);
                    } catch (TensorjException | IllegalArgumentException | IllegalStateException e) {
                        // A typed error about something else the dtype changed: a float32 target
                        // makes cross_entropy read probabilities of another shape; backward() wants
                        // one element. Each op's own test checks those messages.
                        // Such a check may come after the op is counted (an argument checked once
                        // dispatched), but never after memory was taken.
                        long allocated = Counters.snapshot(device).minus(before).allocations();
                        if (allocated != 0) {
                            failures.add(label + ": " + allocated + " allocations before " + e);
                        }
                    } catch (Throwable t) {
                        failures.add(label + ": expected DTypeMismatchException, another typed error or a result, got " + t);
                    }
                }
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(rejected > 100, "only " + rejected + " wrong dtypes rejected: the sweep lost its methods");
    }

    /** The tables above name only methods that exist, so that a renamed op cannot drop out silently. */
    @Test
    void theTablesNameExistingArguments() {
        TreeSet<String> keys = new TreeSet<>();
        for (Call call : calls()) {
            keys.add(call.key());
            for (Slot s : call.slots()) {
                keys.add(s.argKey(call.key()));
            }
        }
        for (String key : concat(CROSS_DEVICE.keySet(), READS_CLOSED, DTYPES.keySet(), SHAPES.keySet())) {
            assertTrue(keys.contains(key), key + " is listed here but is no public method or tensor argument");
        }
    }

    @SafeVarargs
    private static List<String> concat(java.util.Set<String>... sets) {
        List<String> all = new ArrayList<>();
        for (var set : sets) {
            all.addAll(set);
        }
        return all;
    }

    private static void noWork(List<String> failures, String label, Device device, Counters.Snapshot before) {
        Counters.Snapshot work = Counters.snapshot(device).minus(before);
        if (work.ops() + work.allocations() != 0) {
            failures.add(label + ": work on " + device + " before the check: " + work);
        }
    }

    /** Every public method of Tensor and Functional with at least one tensor operand. */
    private static List<Call> calls() {
        List<Call> calls = new ArrayList<>();
        for (Class<?> type : new Class<?>[] {Tensor.class, Functional.class}) {
            for (Method m : type.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic()) {
                    continue;
                }
                List<Slot> slots = new ArrayList<>();
                if (!Modifier.isStatic(m.getModifiers())) {
                    slots.add(new Slot(-1, -1));
                }
                Class<?>[] params = m.getParameterTypes();
                for (int i = 0; i < params.length; i++) {
                    if (params[i] == Tensor.class) {
                        slots.add(new Slot(i, -1));
                    } else if (params[i] == List.class) {
                        slots.add(new Slot(i, 0));
                        slots.add(new Slot(i, 1));
                    }
                }
                if (!slots.isEmpty()) {
                    String key = type.getSimpleName() + "." + m.getName() + "("
                            + String.join(",", Arrays.stream(params).map(Class::getSimpleName).toList()) + ")";
                    calls.add(new Call(key, m, slots));
                }
            }
        }
        calls.sort(java.util.Comparator.comparing(Call::key));
        return calls;
    }

    /** {@code {receiver, args}} for {@code call}: each tensor from {@code tensors}, other values valid on {@code home}. */
    private static Object[] arguments(Call call, Device home, java.util.function.Function<Slot, Tensor> tensors) {
        Class<?>[] params = call.method().getParameterTypes();
        Object self = null;
        Object[] args = new Object[params.length];
        for (Slot s : call.slots()) {
            Tensor t = tensors.apply(s);
            if (s.param() < 0) {
                self = t;
            } else if (s.element() < 0) {
                args[s.param()] = t;
            } else {
                if (args[s.param()] == null) {
                    args[s.param()] = new ArrayList<Tensor>();
                }
                @SuppressWarnings("unchecked")
                List<Tensor> list = (List<Tensor>) args[s.param()];
                list.add(t);
            }
        }
        for (int i = 0; i < params.length; i++) {
            if (args[i] == null) {
                args[i] = value(call.key(), params[i], home);
            }
        }
        return new Object[] {self, args};
    }

    /**
     * A tensor for the argument {@code slotKey} on {@code device}: of the dtype the argument takes
     * (or {@code dtype} when not null), with values valid for it (indices in range, probabilities).
     */
    private static Tensor tensor(String slotKey, Device device, DType dtype) {
        if (dtype == null) {
            dtype = DTYPES.getOrDefault(slotKey, DType.FLOAT32);
        }
        int[] shape = SHAPES.getOrDefault(slotKey, new int[] {2, 2});
        int n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        Tensor host;
        if (dtype == DType.INT64) {
            host = Tensor.of(new long[n], shape); // index 0: in range for every op here
        } else if (dtype == DType.BOOL) {
            boolean[] v = new boolean[n];
            for (int i = 0; i < n; i++) {
                v[i] = i % 3 != 1;
            }
            host = Tensor.of(v, shape);
        } else {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = 0.25f + 0.125f * i; // in (0, 1): valid probabilities for binary_cross_entropy
            }
            host = Tensor.of(v, shape);
        }
        return host.to(device);
    }

    /** A valid non-tensor argument. */
    private static Object value(String key, Class<?> type, Device device) {
        if (type == Device.class) {
            return device;
        } else if (type == int[].class) {
            return key.contains("permute") ? new int[] {1, 0} : new int[] {1};
        } else if (type == float.class) {
            return key.contains("crossEntropy") ? 0.1f : 0.5f;
        } else if (type == double.class) {
            return 0.25; // a dropout probability, a norm's order
        } else if (type == long.class) {
            return -100L;
        } else if (type == int.class) {
            return key.contains("oneHot") ? 2 : 0;
        } else if (type == boolean.class) {
            return false;
        } else if (type == String.class) {
            return key.contains("gelu") ? "tanh" : "mean";
        } else if (type == DType.class) {
            return DType.FLOAT32;
        }
        throw new AssertionError(key + ": no valid value for a " + type.getSimpleName() + " argument");
    }
}

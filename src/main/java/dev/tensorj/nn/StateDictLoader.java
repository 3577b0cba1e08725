package dev.tensorj.nn;

import dev.tensorj.DType;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@link Module#loadStateDict(Map, boolean)}: every check first, then a copy of each entry on its
 * target's device and dtype (which may fail, and then is released), and only then the writes,
 * which cannot fail, so an error leaves the module as it was.
 */
final class StateDictLoader {
    private StateDictLoader() {}

    static IncompatibleKeys load(String moduleName, Map<String, Tensor> own, Map<String, Tensor> given, boolean strict) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        own.keySet().stream().filter(k -> !given.containsKey(k)).forEach(missing::add);
        given.keySet().stream().filter(k -> !own.containsKey(k)).forEach(unexpected::add);
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            if (!given.containsKey(e.getKey())) {
                continue;
            }
            String problem = problem(e.getKey(), e.getValue(), given.get(e.getKey()));
            if (problem != null) {
                mismatches.add(problem);
            }
            names.add(e.getKey());
        }
        if (!mismatches.isEmpty() || strict && !(missing.isEmpty() && unexpected.isEmpty())) {
            throw new StateDictException(moduleName, strict ? missing : List.of(), strict ? unexpected : List.of(),
                    mismatches);
        }
        List<Tensor> staged = new ArrayList<>();
        try (NoGrad g = NoGrad.enter()) {
            for (String name : names) {
                staged.add(staged(given.get(name), own.get(name)));
            }
            for (int i = 0; i < names.size(); i++) {
                write(own.get(names.get(i)), staged.get(i));
            }
        } finally {
            for (int i = 0; i < staged.size(); i++) {
                if (staged.get(i) != given.get(names.get(i))) {
                    staged.get(i).close();
                }
            }
        }
        return new IncompatibleKeys(missing, unexpected);
    }

    /** Why {@code source} cannot be loaded into {@code target}, or null when it can. */
    private static String problem(String name, Tensor target, Tensor source) {
        if (source == null) {
            return "null tensor for " + name;
        }
        if (source.isClosed()) {
            return "closed tensor for " + name;
        }
        if (target.isClosed()) {
            return "the module's " + name + " is closed";
        }
        if (!Arrays.equals(source.shape(), target.shape())) {
            return "size mismatch for " + name + ": copying a param with shape " + Arrays.toString(source.shape())
                    + " from checkpoint, the shape in current model is " + Arrays.toString(target.shape()) + ".";
        }
        if (source.device().isMeta() && !target.device().isMeta()) {
            return "meta tensor for " + name + ": it holds no values to load onto " + target.device();
        }
        return null;
    }

    /** {@code source} on {@code target}'s dtype and device: itself when already there, else a new copy. */
    private static Tensor staged(Tensor source, Tensor target) {
        Tensor converted = source.dtype() == target.dtype() ? source : source.to(target.dtype());
        Tensor moved;
        try {
            moved = converted.to(target.device());
        } catch (RuntimeException | Error e) {
            if (converted != source) {
                converted.close();
            }
            throw e;
        }
        if (converted != source && moved != converted) {
            converted.close();
        }
        return moved;
    }

    /**
     * Writes the values in place, so the tensor objects (and an optimizer holding them) stay. copy_
     * takes float32; other buffers get a copy of their own as their data.
     */
    private static void write(Tensor target, Tensor values) {
        if (target.dtype() == DType.FLOAT32) {
            target.copy_(values);
        } else {
            try (Tensor own = values.clone()) {
                target.setData(own);
            }
        }
    }
}

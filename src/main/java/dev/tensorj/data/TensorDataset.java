package dev.tensorj.data;

import dev.tensorj.DType;
import dev.tensorj.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Tensors that share their first dimension, item {@code i} being row {@code i} of each, as
 * {@code torch.utils.data.TensorDataset}. The tensors stay where they are (any device, any dtype);
 * an item's rows are copies on that device.
 */
public final class TensorDataset implements Dataset<Tensor[]> {
    private final Tensor[] tensors;

    /**
     * A dataset over {@code tensors} (the array is copied, the tensors are not).
     *
     * @throws IllegalArgumentException if there is no tensor, one is 0-d, or their first dimensions differ
     */
    public TensorDataset(Tensor... tensors) {
        Objects.requireNonNull(tensors, "TensorDataset: tensors is null");
        if (tensors.length == 0) {
            throw new IllegalArgumentException("TensorDataset: at least one tensor is needed");
        }
        this.tensors = tensors.clone();
        for (int i = 0; i < this.tensors.length; i++) {
            Objects.requireNonNull(this.tensors[i], "TensorDataset: tensors[" + i + "] is null");
            if (this.tensors[i].dim() == 0 || this.tensors[i].size(0) != this.tensors[0].size(0)) {
                List<String> shapes = new ArrayList<>();
                for (Tensor t : this.tensors) {
                    shapes.add(Arrays.toString(t.shape()));
                }
                throw new IllegalArgumentException("TensorDataset: size mismatch between tensors: every tensor "
                        + "needs the same first dimension, got shapes " + shapes);
            }
        }
    }

    /** The tensors (a copy of the array). */
    public Tensor[] tensors() {
        return tensors.clone();
    }

    @Override
    public int size() {
        return tensors[0].size(0);
    }

    /** Row {@code index} of each tensor (copies), as {@code dataset[index]}. */
    @Override
    public Tensor[] get(int index) {
        Objects.checkIndex(index, size());
        Tensor[] row = new Tensor[tensors.length];
        for (int j = 0; j < tensors.length; j++) {
            row[j] = tensors[j].select(0, index);
        }
        return row;
    }

    /**
     * The rows at {@code indices} of each tensor, gathered in one {@code indexSelect} on the tensor's
     * own device: the same values as stacking {@link #get} rows, without a copy per row. indexSelect
     * takes float32 only, so other dtypes are stacked row by row.
     */
    Tensor[] rows(int[] indices) {
        Tensor[] batch = new Tensor[tensors.length];
        long[] index = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            index[i] = Objects.checkIndex(indices[i], size());
        }
        try (Tensor onHost = Tensor.of(index, indices.length)) {
            for (int j = 0; j < tensors.length; j++) {
                Tensor t = tensors[j];
                if (t.dtype() == DType.FLOAT32) {
                    Tensor idx = onHost.to(t.device());
                    batch[j] = t.indexSelect(0, idx);
                    if (idx != onHost) {
                        idx.close();
                    }
                } else {
                    List<Tensor> picked = new ArrayList<>(indices.length);
                    for (int i : indices) {
                        picked.add(t.select(0, i));
                    }
                    batch[j] = Tensor.stack(picked, 0);
                    picked.forEach(Tensor::close);
                }
            }
        }
        return batch;
    }
}

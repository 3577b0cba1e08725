package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A lookup table, as {@code torch.nn.Embedding}: {@code forward(indices)} returns the rows of
 * {@code weight} ({@code [numEmbeddings, embeddingDim]}) at int64 indices of any shape, shaped
 * {@code indices.shape + [embeddingDim]}. The weight starts N(0, 1) from the global generator
 * ({@link Init#normal_}, so {@link Tensor#manualSeed} fixes it on every device); with a
 * {@code paddingIdx}, that row starts at zero and never receives a gradient. Indices outside
 * {@code [0, numEmbeddings)} are an {@code IndexOutOfRangeException} on every device (checked on
 * the host). Created on the CPU; move with {@link #to}.
 */
public class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final Integer paddingIdx; // normalised to [0, numEmbeddings); null: none
    private final Tensor weight;

    /** A table of {@code numEmbeddings} vectors of {@code embeddingDim}, without padding. */
    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, (Integer) null);
    }

    /**
     * A table whose row {@code paddingIdx} (negative counts from the end, as PyTorch's) starts at
     * zero and receives no gradient.
     *
     * @throws IllegalArgumentException if paddingIdx is outside {@code [-numEmbeddings, numEmbeddings)}
     */
    public Embedding(int numEmbeddings, int embeddingDim, int paddingIdx) {
        this(numEmbeddings, embeddingDim, Integer.valueOf(paddingIdx));
    }

    private Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        if (numEmbeddings < 0 || embeddingDim < 0) {
            throw new IllegalArgumentException("Embedding(" + numEmbeddings + ", " + embeddingDim
                    + "): sizes must not be negative");
        }
        if (paddingIdx != null && (paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings)) {
            throw new IllegalArgumentException("Embedding(" + numEmbeddings + ", " + embeddingDim + "): paddingIdx "
                    + paddingIdx + " must lie in [-" + numEmbeddings + ", " + numEmbeddings + ")");
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null || paddingIdx >= 0 ? paddingIdx : Integer.valueOf(paddingIdx + numEmbeddings);
        Tensor w = Init.normal_(Tensor.zeros(Device.CPU, numEmbeddings, embeddingDim), 0, 1);
        if (this.paddingIdx != null) { // zero that row in tensor ops: rows where arange(num) == paddingIdx
            try (NoGrad g = NoGrad.enter(); Tensor rows = Tensor.arange(numEmbeddings);
                    Tensor pad = Tensor.full(Device.CPU, (long) this.paddingIdx, new int[0]);
                    Tensor isPad = rows.eq(pad).unsqueeze(1); Tensor drawn = w) {
                w = drawn.maskedFill(isPad, 0f);
            }
        }
        this.weight = registerParameter("weight", w);
    }

    /** Moves this module's parameters; see {@link Module#to}. Returns this Embedding. */
    @Override
    public Embedding to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode (no effect on an embedding). Returns this Embedding. */
    @Override
    public Embedding train() {
        super.train();
        return this;
    }

    /** Evaluation mode (no effect on an embedding). Returns this Embedding. */
    @Override
    public Embedding eval() {
        super.eval();
        return this;
    }

    /**
     * The rows at {@code input}'s int64 indices, shaped {@code input.shape + [embeddingDim]}.
     *
     * @throws dev.tensorj.DTypeMismatchException if input is not int64
     * @throws dev.tensorj.IndexOutOfRangeException if an index is outside {@code [0, numEmbeddings)}
     * @throws dev.tensorj.DeviceMismatchException if input is not on the weight's device
     */
    @Override
    public Tensor forward(Tensor input) {
        Objects.requireNonNull(input, "embedding: input is null"); // before checkPlacement, which reads it
        checkPlacement(input);
        return paddingIdx == null ? Functional.embedding(input, weight) : Functional.embedding(input, weight, paddingIdx);
    }

    /** The table, {@code [numEmbeddings, embeddingDim]}. */
    public Tensor weight() {
        return weight;
    }

    /** The number of rows. */
    public int numEmbeddings() {
        return numEmbeddings;
    }

    /** The length of each row. */
    public int embeddingDim() {
        return embeddingDim;
    }

    /** The padding row, in {@code [0, numEmbeddings)}, or empty without one. */
    public OptionalInt paddingIdx() {
        return paddingIdx == null ? OptionalInt.empty() : OptionalInt.of(paddingIdx);
    }

    @Override
    public String toString() {
        return "Embedding(" + numEmbeddings + ", " + embeddingDim + (paddingIdx == null ? "" : ", paddingIdx=" + paddingIdx)
                + ")";
    }
}

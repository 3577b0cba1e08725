package dev.tensorj.bench;

/** One library's model, data and optimizer for a training-step case: MSE loss, SGD lr 0.01. */
interface TrainingStep extends AutoCloseable {
    /** zeroGrad, forward, loss, backward, optimizer step. */
    void step();

    /** The loss on the case's batch, without recording gradients (to check that training works). */
    float loss();

    /**
     * Bytes of native (off-heap) tensor memory one step allocates, measured by running one step,
     * or -1 where the library keeps tensors on the Java heap.
     */
    default long nativeBytesPerStep() {
        return -1;
    }

    /** Native arrays the model keeps between steps (a leak check), or -1 where that means nothing. */
    default long heldArrays() {
        return -1;
    }

    @Override
    void close();
}

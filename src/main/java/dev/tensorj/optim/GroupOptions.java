package dev.tensorj.optim;

/**
 * The options of one parameter group of an optimizer, such as {@link Adam.Options} or
 * {@link SGD.Options}: an immutable value that holds the group's learning rate with the rest.
 * An optimizer keeps one per group and replaces it with {@link #withLr} when the rate changes, so
 * the options a step reads are always the group's current ones.
 */
public interface GroupOptions {
    /** The learning rate. */
    float lr();

    /** These options with learning rate {@code lr}; an implementation returns its own type. */
    GroupOptions withLr(float lr);

    /**
     * Options that are a learning rate alone: those of an optimizer built with
     * {@link Optimizer#Optimizer(java.util.Collection, float)}, for a rule that needs nothing else.
     *
     * @param lr the learning rate
     */
    record Lr(float lr) implements GroupOptions {
        @Override
        public Lr withLr(float lr) {
            return new Lr(lr);
        }
    }
}

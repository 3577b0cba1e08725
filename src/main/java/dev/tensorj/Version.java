package dev.tensorj;

/**
 * How many times a tensor's data has been written in place, shared by every tensor that shares
 * that data (a reshape, a detach), as PyTorch's version counter. Autograd remembers the version of
 * each tensor a backward rule will read, and {@code backward()} refuses to use one that has been
 * written since: the gradient would silently be computed from the new values.
 */
final class Version {
    private int value;
    private String lastOp;

    int value() {
        return value;
    }

    /** The in-place op that wrote last, for error messages. */
    String lastOp() {
        return lastOp;
    }

    void bump(String op) {
        value++;
        lastOp = op;
    }
}

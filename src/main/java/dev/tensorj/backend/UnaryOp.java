package dev.tensorj.backend;

/** Elementwise ops of one tensor. */
public enum UnaryOp {
    NEG,
    RELU
}

/**
 * Watching training: {@link dev.tensorj.train.Progress} is told about each step and each epoch's
 * end, measures samples per second, reports through SLF4J (logger {@code dev.tensorj.progress}),
 * keeps a live line on a terminal, and writes the history as CSV or, with XChart present, a PNG
 * chart. Nothing here is needed to train. Written with the public API only.
 */
package dev.tensorj.train;

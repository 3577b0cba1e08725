/**
 * Data, as {@code torch.utils.data}: a {@link dev.tensorj.data.Dataset} of items,
 * {@link dev.tensorj.data.TensorDataset} over tensors that share their first dimension,
 * {@link dev.tensorj.data.Subset} and {@link dev.tensorj.data.Dataset#randomSplit randomSplit}, a
 * {@link dev.tensorj.data.DataLoader} that batches, shuffles with its own seeded generator,
 * prefetches on a background thread and delivers batches on a device, and
 * {@link dev.tensorj.data.CsvReader} for numeric CSV files. Written with the public API only.
 */
package dev.tensorj.data;

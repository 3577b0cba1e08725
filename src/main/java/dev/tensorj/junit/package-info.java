/**
 * JUnit Jupiter support for testing models and code written with tensorj (needs JUnit Jupiter on
 * the test class path; the library itself never loads this package):
 * <ul>
 *   <li>{@link dev.tensorj.junit.DevicesSource}: a {@code @ParameterizedTest} runs on cpu and each
 *       cuda:N (meta on request); where CUDA is unusable the CUDA cases are reported as skipped,
 *       with the probed reason ({@link dev.tensorj.Device#cudaStatus()}), never left out.
 *       {@link dev.tensorj.junit.RequiresCuda} and {@link dev.tensorj.junit.CheckDevices} do the same
 *       for tests that use a CUDA device directly or through arguments of their own;</li>
 *   <li>{@link dev.tensorj.junit.LeakCheck}: fails a test (or a class) that leaves tensors live or
 *       device memory in use, naming what leaked and where it was allocated;</li>
 *   <li>{@link dev.tensorj.junit.Placement}: assertions on the counters that a block ran entirely on
 *       one device, and crossed host↔device, launched kernels or allocated at most so much;</li>
 *   <li>{@link dev.tensorj.junit.StrictIdleGpu}: the idle-GPU policy is STRICT while a test or class
 *       runs;</li>
 *   <li>{@link dev.tensorj.junit.Timing}: timings that wait for the device, with warm-up, repeats,
 *       median, min and max, and a ratio against a second candidate measured in alternating rounds.</li>
 * </ul>
 *
 * <p>A CUDA test that cannot get its device is skipped; with {@code -Dtensorj.test.cuda=required}
 * (for a GPU host's CI) it fails instead, so that a device that did not load cannot pass as a run
 * of skipped tests. Every CUDA case publishes the report entry {@code tensorj.cuda} (the device) so
 * that a {@code TestExecutionListener} can tally them.
 */
package dev.tensorj.junit;

/**
 * tensorj: tensors that know their device (cpu, cuda:N, meta), reverse-mode autograd, {@code nn}
 * modules and optimizers that read like PyTorch, and placement that is checked and visible.
 *
 * <p>Only the API packages are exported. The backends ({@code dev.tensorj.backend} and its
 * {@code cpu}, {@code cuda} and {@code meta} packages) are implementation: they may change in any
 * release. On the class path the jar works as well; there those packages are reachable but are
 * still not API.
 */
module dev.tensorj {
    requires org.slf4j;
    // dev.tensorj.data reads CSV files with Apache Commons CSV.
    requires org.apache.commons.csv;
    requires com.fasterxml.jackson.databind; // the JSON header of safetensors files
    // Optional: only Progress.writeChart draws PNG charts with XChart, when the application has it.
    requires static org.knowm.xchart;
    // Optional: only dev.tensorj.junit uses JUnit Jupiter, in the tests of applications that have it.
    requires static org.junit.jupiter.api;
    requires static org.junit.jupiter.params;
    // JCuda ships plain jars: these are their automatic module names (from the file names). They
    // load only when a CUDA device is first used.
    requires jcuda;
    requires jcublas;
    requires org.bytedeco.openblas;
    requires org.bytedeco.javacpp;

    exports dev.tensorj;
    exports dev.tensorj.nn;
    exports dev.tensorj.optim;
    exports dev.tensorj.data;
    exports dev.tensorj.train;
    exports dev.tensorj.junit;
}

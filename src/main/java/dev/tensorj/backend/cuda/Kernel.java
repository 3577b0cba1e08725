package dev.tensorj.backend.cuda;

/**
 * Every kernel the backend launches, with the PTX module (resource {@code dev/tensorj/cuda/<module>.ptx},
 * source {@code src/main/cuda/<module>.cu}) that defines it. KernelCompileTest checks each name
 * against the shipped PTX.
 */
enum Kernel {
    UNARY("elementwise", "tj_unary"),
    BINARY_SCALAR("elementwise", "tj_binary_scalar"),
    BINARY_CONTIG("elementwise", "tj_binary_contig"),
    BINARY_ONE("elementwise", "tj_binary_one"),
    BINARY_ROW_I32("elementwise", "tj_binary_row_i32"),
    BINARY_ROW_I64("elementwise", "tj_binary_row_i64"),
    BINARY_ND_I32("elementwise", "tj_binary_nd_i32"),
    BINARY_ND_I64("elementwise", "tj_binary_nd_i64"),
    SUM_ROWS("reduce", "tj_sum_rows"),
    SUM_COLS("reduce", "tj_sum_cols"),
    SUM_FINISH("reduce", "tj_sum_finish"),
    TRANSPOSE("transpose", "tj_transpose"),
    SGD_STEP("sgd", "tj_sgd_step");

    final String module;
    final String symbol;

    Kernel(String module, String symbol) {
        this.module = module;
        this.symbol = symbol;
    }

    /** The classpath resource holding this kernel's PTX. */
    String resource() {
        return "/dev/tensorj/cuda/" + module + ".ptx";
    }
}

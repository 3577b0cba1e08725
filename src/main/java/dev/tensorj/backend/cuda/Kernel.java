package dev.tensorj.backend.cuda;

/**
 * Every kernel the backend launches, with the PTX module (resource {@code dev/tensorj/cuda/<module>.ptx},
 * source {@code src/main/cuda/<module>.cu}) that defines it, and its parameters, one letter each:
 * {@code i} int, {@code l} long, {@code f} float, {@code p} device pointer, {@code s} the 25-long
 * broadcast struct, {@code x} the 34-long index struct ({@link CudaIndex#pack}). KernelCompileTest checks names and parameters against the shipped PTX, and
 * every launch checks its arguments against them: a mismatch would silently corrupt the launch.
 */
enum Kernel {
    UNARY("elementwise", "tj_unary", "ippl"),
    BINARY_SCALAR("elementwise", "tj_binary_scalar", "ipfpl"),
    BINARY_CONTIG("elementwise", "tj_binary_contig", "ipppl"),
    BINARY_ONE("elementwise", "tj_binary_one", "ipppli"),
    BINARY_ROW_I32("elementwise", "tj_binary_row_i32", "ipppiii"),
    BINARY_ROW_I64("elementwise", "tj_binary_row_i64", "ippplli"),
    BINARY_ND_I32("elementwise", "tj_binary_nd_i32", "ipppis"),
    BINARY_ND_I64("elementwise", "tj_binary_nd_i64", "ipppls"),
    AXPY("elementwise", "tj_axpy", "fpppl"),
    SUM_ROWS("reduce", "tj_sum_rows", "ppplli"),
    SUM_COLS("reduce", "tj_sum_cols", "pppllli"),
    SUM_FINISH("reduce", "tj_sum_finish", "pplil"),
    EXTREME_AXIS("reduce", "tj_extreme_axis", "ippplll"),
    SOFTMAX("softmax", "tj_softmax", "ippllli"),
    SOFTMAX_BACKWARD("softmax", "tj_softmax_backward", "ipppllli"),
    CROSS_ENTROPY("softmax", "tj_cross_entropy", "ppppplllfi"),
    CROSS_ENTROPY_BACKWARD("softmax", "tj_cross_entropy_backward", "pppppiplllf"),
    TRANSPOSE("transpose", "tj_transpose", "ppii"),
    CAST("dtype", "tj_cast", "iippl"),
    FILL_I64("dtype", "tj_fill_i64", "pll"),
    COMPARE_CONTIG("compare", "tj_compare_contig", "iipppl"),
    COMPARE_ND("compare", "tj_compare_nd", "iipppls"),
    WHERE_CONTIG("compare", "tj_where_contig", "ppppl"),
    WHERE_ND("compare", "tj_where_nd", "ppppls"),
    STRIDED_COPY("shape", "tj_strided_copy", "ippls"),
    GATHER("index", "tj_gather", "ppplx"),
    SCATTER_ADD("index", "tj_scatter_add", "ppplx"),
    RANDOM("random", "tj_random", "illpffl"),
    RANDINT("random", "tj_randint", "llplll"),
    LAYER_NORM("layernorm", "tj_layer_norm", "pppppllfi"),
    LAYER_NORM_BACKWARD("layernorm", "tj_layer_norm_backward", "ppppplli"),
    LAYER_NORM_COLUMNS("layernorm", "tj_layer_norm_columns", "pppppll");

    final String module;
    final String symbol;
    final String params;

    Kernel(String module, String symbol, String params) {
        this.module = module;
        this.symbol = symbol;
        this.params = params;
    }

    /** Throws unless {@code args} match {@link #params} in number and type. */
    void checkArguments(Object[] args) {
        boolean ok = args.length == params.length();
        for (int i = 0; ok && i < args.length; i++) {
            Object a = args[i];
            switch (params.charAt(i)) {
                case 'i': ok = a instanceof Integer; break;
                case 'l': ok = a instanceof Long; break;
                case 'f': ok = a instanceof Float; break;
                case 'p': ok = a == null || a instanceof jcuda.driver.CUdeviceptr; break;
                case 's': ok = a instanceof long[] && ((long[]) a).length == 1 + 3 * BroadcastLaunch.MAX_KERNEL_RANK; break;
                case 'x': ok = a instanceof long[] && ((long[]) a).length == CudaIndex.PACKED_LONGS; break;
                default: ok = false;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("kernel " + symbol + " takes (" + params + "), got "
                    + java.util.Arrays.stream(args).map(a -> a == null ? "null" : a.getClass().getSimpleName())
                            .collect(java.util.stream.Collectors.joining(", ")));
        }
    }

    /** The classpath resource holding this kernel's PTX. */
    String resource() {
        return "/dev/tensorj/cuda/" + module + ".ptx";
    }
}

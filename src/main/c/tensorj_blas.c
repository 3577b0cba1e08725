/*
 * JNI glue that hands OpenBLAS the float[] of CPU tensors themselves (GetPrimitiveArrayCritical),
 * for dev.tensorj.backend.cpu.JniBlas. JavaCPP's generated glue for float[] arguments uses
 * Get<Type>ArrayElements, which HotSpot implements as a copy; critical access does not copy.
 *
 * cblas_sgemm is looked up in the one library file the Java side names (dlopen of a library that
 * is already loaded only takes a reference), not by symbol search: another BLAS in the process
 * (MKL inside a peer library, say) may export the same name.
 *
 * Rules of a critical region kept here: no JNI call between Get and Release, and no blocking on
 * anything a Java thread might hold. OpenBLAS only waits for its own worker threads.
 */
#include <dlfcn.h>
#include <jni.h>
#include <stdint.h>

typedef void (*sgemm_fn)(int order, int transA, int transB, int m, int n, int k, float alpha,
                         const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

static void throw_new(JNIEnv *env, const char *cls, const char *msg) {
    jclass c = (*env)->FindClass(env, cls);
    if (c != NULL) {
        (*env)->ThrowNew(env, c, msg);
    }
}

/* The address of cblas_sgemm in the library file at path; throws UnsatisfiedLinkError if none. */
JNIEXPORT jlong JNICALL Java_dev_tensorj_backend_cpu_JniBlas_link(JNIEnv *env, jclass cls, jstring path) {
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    if (p == NULL) {
        return 0; /* OutOfMemoryError pending */
    }
    void *lib = dlopen(p, RTLD_NOW | RTLD_LOCAL);
    (*env)->ReleaseStringUTFChars(env, path, p);
    if (lib == NULL) {
        throw_new(env, "java/lang/UnsatisfiedLinkError", dlerror());
        return 0;
    }
    dlerror();
    void *fn = dlsym(lib, "cblas_sgemm");
    if (fn == NULL) {
        const char *err = dlerror();
        throw_new(env, "java/lang/UnsatisfiedLinkError", err != NULL ? err : "cblas_sgemm is NULL");
        return 0;
    }
    return (jlong) (intptr_t) fn; /* the library stays open for the life of the process */
}

/* c = op(a)·op(b), row-major, each matrix from its offset in its array (a batched product's
 * matrix i); the Java side checked the sizes and offsets. */
JNIEXPORT void JNICALL Java_dev_tensorj_backend_cpu_JniBlas_sgemm(JNIEnv *env, jclass cls, jlong fn,
        jboolean transA, jboolean transB, jint m, jint n, jint k, jfloatArray a, jint aOff, jfloatArray b,
        jint bOff, jfloatArray c, jint cOff) {
    float *pa = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
    float *pb = pa == NULL ? NULL : (*env)->GetPrimitiveArrayCritical(env, b, NULL);
    float *pc = pb == NULL ? NULL : (*env)->GetPrimitiveArrayCritical(env, c, NULL);
    if (pc != NULL) {
        ((sgemm_fn) (intptr_t) fn)(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1.0f,
                                   pa + aOff, transA ? m : k, pb + bOff, transB ? k : n, 0.0f, pc + cOff, n);
        (*env)->ReleasePrimitiveArrayCritical(env, c, pc, 0);
    }
    if (pb != NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, b, pb, JNI_ABORT);
    }
    if (pa != NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, a, pa, JNI_ABORT);
    }
    if (pc == NULL) {
        throw_new(env, "java/lang/OutOfMemoryError", "GetPrimitiveArrayCritical failed for an sgemm operand");
    }
}

// Runs a kernel launch on the calling thread (a stream's worker): every block in turn, and a
// block's threads as fibers on this one OS thread, switched by a few lines of x86-64 assembly
// (callee-saved registers and the stack pointer; no syscall, unlike swapcontext). A thread runs
// until it returns or reaches __syncthreads(); when every thread of the block has stopped, the
// scheduler either releases the barrier (all waiting at the same call) or reports the block.
//
// Fiber stacks (64 KiB, a PROT_NONE guard page below) are mapped once per worker thread and
// reused: a thread that returns without waiting gives its stack straight to the next thread, so a
// barrier-free kernel runs on one hot stack.
#include "internal.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

__thread uint3 threadIdx;
__thread uint3 blockIdx;
__thread dim3 blockDim;
__thread dim3 gridDim;

// tjemu_switch(save, to): saves the callee-saved registers on the current stack, stores the stack
// pointer in *save, switches to the stack `to` (made by tjemu_switch or by new_fiber_stack) and
// restores its registers. tjemu_fiber_entry is where a new fiber's first switch "returns" to: it
// calls tjemu_fiber_main(r12).
asm(R"(
    .text
    .globl tjemu_switch
    .hidden tjemu_switch
    .type tjemu_switch, @function
tjemu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size tjemu_switch, .-tjemu_switch

    .globl tjemu_fiber_entry
    .hidden tjemu_fiber_entry
    .type tjemu_fiber_entry, @function
tjemu_fiber_entry:
    movq %r12, %rdi
    call tjemu_fiber_main
    ud2
    .size tjemu_fiber_entry, .-tjemu_fiber_entry
)");

extern "C" {
void tjemu_switch(void** save, void* to) __attribute__((visibility("hidden")));
void tjemu_fiber_entry() __attribute__((visibility("hidden")));
void tjemu_fiber_main(void* exec) __attribute__((visibility("hidden"), noreturn));
}

namespace tjemu {
namespace {

constexpr size_t kStackBytes = 64 * 1024;
constexpr size_t kGuardBytes = 4096;

enum State { NEW, RUNNABLE, WAITING, DONE };

struct Fiber {
    void* sp;
    char* stack; // base of the usable stack (guard page below it)
    State state;
    const char* file;
    int line;
};

struct Exec {
    void* schedSp = nullptr;
    std::vector<Fiber> fibers;
    std::vector<char*> freeStacks;
    Fiber* cur = nullptr;
    const Launch* launch = nullptr;
    std::vector<uint3> tids; // threadIdx of each thread of the launch's blocks
};

thread_local Exec* tlExec = nullptr;

char* map_stack() {
    void* p = mmap(nullptr, kStackBytes + kGuardBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        tjemu_log("cannot map a %zu-byte fiber stack", kStackBytes);
        abort();
    }
    mprotect(p, kGuardBytes, PROT_NONE);
    return static_cast<char*>(p) + kGuardBytes;
}

char* acquire_stack(Exec& ex) {
    if (ex.freeStacks.empty()) {
        return map_stack();
    }
    char* s = ex.freeStacks.back();
    ex.freeStacks.pop_back();
    return s;
}

// A stack whose first switch pops six zeroed registers (r12 = the Exec) and returns into
// tjemu_fiber_entry with the stack 16-byte aligned, as the ABI wants before its `call`.
void* new_fiber_stack(char* stack, Exec* ex) {
    uintptr_t top = (reinterpret_cast<uintptr_t>(stack) + kStackBytes) & ~uintptr_t(15);
    void** sp = reinterpret_cast<void**>(top - 72);
    sp[0] = nullptr;                                         // r15
    sp[1] = nullptr;                                         // r14
    sp[2] = nullptr;                                         // r13
    sp[3] = ex;                                              // r12
    sp[4] = nullptr;                                         // rbx
    sp[5] = nullptr;                                         // rbp
    sp[6] = reinterpret_cast<void*>(&tjemu_fiber_entry);     // return address
    sp[7] = nullptr;
    sp[8] = nullptr;
    return sp;
}

bool same_site(const Fiber& a, const Fiber& b) {
    return a.line == b.line && (a.file == b.file || std::strcmp(a.file, b.file) == 0);
}

// Runs one block; false (after logging) when a barrier was not reached by every thread. Between
// barriers the threads run one after the other, in thread order in even blocks and in reverse order
// in odd ones, so that a missing __syncthreads() shows whichever way the threads depend on each other.
bool run_block(Exec& ex, const Launch& l, bool reverse) {
    const unsigned int n = l.block[0] * l.block[1] * l.block[2];
    if (ex.fibers.size() < n) {
        ex.fibers.resize(n);
    }
    for (unsigned int i = 0; i < n; i++) {
        ex.fibers[i].state = NEW;
        ex.fibers[i].stack = nullptr;
    }
    for (;;) {
        for (unsigned int k = 0; k < n; k++) {
            const unsigned int i = reverse ? n - 1 - k : k;
            Fiber& f = ex.fibers[i];
            if (f.state == DONE) {
                continue;
            }
            if (f.state == NEW) {
                f.stack = acquire_stack(ex);
                f.sp = new_fiber_stack(f.stack, &ex);
            }
            f.state = RUNNABLE;
            threadIdx = ex.tids[i];
            ex.cur = &f;
            tjemu_switch(&ex.schedSp, f.sp);
            if (f.state == DONE) {
                ex.freeStacks.push_back(f.stack);
                f.stack = nullptr;
            }
        }
        // Every thread has returned or waits at a barrier.
        unsigned int waiting = 0, done = 0;
        const Fiber* first = nullptr;
        bool sameSite = true;
        for (unsigned int i = 0; i < n; i++) {
            const Fiber& f = ex.fibers[i];
            if (f.state == DONE) {
                done++;
            } else {
                waiting++;
                if (first == nullptr) {
                    first = &f;
                } else if (!same_site(f, *first)) {
                    sameSite = false;
                }
            }
        }
        if (waiting == 0) {
            return true;
        }
        if (done > 0 || !sameSite) {
            if (!sameSite) {
                const Fiber* other = nullptr;
                for (unsigned int i = 0; i < n && other == nullptr; i++) {
                    const Fiber& f = ex.fibers[i];
                    if (f.state != DONE && !same_site(f, *first)) {
                        other = &f;
                    }
                }
                tjemu_log("kernel %s, block (%u,%u,%u): threads wait at different __syncthreads() calls "
                          "(thread %u at %s:%d, thread %u at %s:%d); the launch fails",
                          l.twin->name, blockIdx.x, blockIdx.y, blockIdx.z, (unsigned) (first - ex.fibers.data()),
                          first->file, first->line, (unsigned) (other - ex.fibers.data()), other->file, other->line);
            } else {
                tjemu_log("kernel %s, block (%u,%u,%u): __syncthreads() at %s:%d reached by %u of the block's %u "
                          "threads, the other %u returned without it; the launch fails",
                          l.twin->name, blockIdx.x, blockIdx.y, blockIdx.z, first->file, first->line, waiting, n,
                          done);
            }
            // The waiting threads are abandoned (kernels hold no resources); their stacks are reused.
            for (unsigned int i = 0; i < n; i++) {
                if (ex.fibers[i].state != DONE) {
                    ex.freeStacks.push_back(ex.fibers[i].stack);
                    ex.fibers[i].state = DONE;
                }
            }
            return false;
        }
        for (unsigned int i = 0; i < n; i++) {
            if (ex.fibers[i].state == WAITING) {
                ex.fibers[i].state = RUNNABLE;
            }
        }
    }
}

} // namespace

int run_launch(const Launch& l) {
    if (tlExec == nullptr) {
        // One per worker thread, never freed: a worker lives until its stream is destroyed, which
        // tensorj never does (a destroyed stream's Exec and its stacks' address space would leak).
        tlExec = new Exec();
    }
    Exec& ex = *tlExec;
    ex.launch = &l;
    ex.tids.clear();
    for (unsigned int z = 0; z < l.block[2]; z++) {
        for (unsigned int y = 0; y < l.block[1]; y++) {
            for (unsigned int x = 0; x < l.block[0]; x++) {
                ex.tids.push_back(uint3{x, y, z});
            }
        }
    }
    blockDim = dim3{l.block[0], l.block[1], l.block[2]};
    gridDim = dim3{l.grid[0], l.grid[1], l.grid[2]};
    for (unsigned int z = 0; z < l.grid[2]; z++) {
        for (unsigned int y = 0; y < l.grid[1]; y++) {
            for (unsigned int x = 0; x < l.grid[0]; x++) {
                blockIdx = uint3{x, y, z};
                if (!run_block(ex, l, ((x ^ y ^ z) & 1) != 0)) {
                    ex.launch = nullptr;
                    return CUDA_ERROR_LAUNCH_FAILED;
                }
            }
        }
    }
    ex.launch = nullptr;
    return CUDA_SUCCESS;
}

} // namespace tjemu

using tjemu::Exec;
using tjemu::tlExec;

extern "C" void tjemu_fiber_main(void* exec) {
    Exec* ex = static_cast<Exec*>(exec);
    ex->launch->twin->run(ex->launch->packed);
    ex->cur->state = tjemu::DONE;
    void* unused;
    tjemu_switch(&unused, ex->schedSp);
    __builtin_unreachable();
}

extern "C" void tjemu_syncthreads(const char* file, int line) {
    Exec* ex = tlExec;
    if (ex == nullptr || ex->cur == nullptr || ex->launch == nullptr) {
        tjemu_log("__syncthreads() called outside a kernel launch (%s:%d)", file, line);
        abort();
    }
    tjemu::Fiber* f = ex->cur;
    f->state = tjemu::WAITING;
    f->file = file;
    f->line = line;
    tjemu_switch(&f->sp, ex->schedSp);
}

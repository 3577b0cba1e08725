// out[c, r] = x[r, c]: 32x32 tiles through shared memory so that both the reads and the writes
// coalesce; the +1 column keeps the column reads free of bank conflicts.
#include "ops.cuh"

#define TJ_TILE 32
#define TJ_ROWS 8 // blockDim = (32, 8): each thread moves 4 elements of a tile

// __restrict__ holds: its one caller (ShapeOps.transpose) always writes a freshly allocated tensor.
extern "C" __global__ void tj_transpose(const float* __restrict__ x, float* __restrict__ out, int rows, int cols) {
    __shared__ float tile[TJ_TILE][TJ_TILE + 1];
    long long tilesC = (cols + TJ_TILE - 1) / TJ_TILE;
    long long tiles = tilesC * ((rows + TJ_TILE - 1) / TJ_TILE);
    for (long long t = blockIdx.x; t < tiles; t += gridDim.x) {
        long long r0 = (t / tilesC) * TJ_TILE;
        long long c0 = (t % tilesC) * TJ_TILE;
        for (int j = threadIdx.y; j < TJ_TILE; j += TJ_ROWS) {
            long long r = r0 + j;
            long long c = c0 + threadIdx.x;
            if (r < rows && c < cols) {
                tile[j][threadIdx.x] = x[r * cols + c];
            }
        }
        __syncthreads();
        for (int j = threadIdx.y; j < TJ_TILE; j += TJ_ROWS) {
            long long c = c0 + j;
            long long r = r0 + threadIdx.x;
            if (r < rows && c < cols) {
                out[c * rows + r] = tile[threadIdx.x][j];
            }
        }
        __syncthreads(); // the tile is refilled by this block's next iteration
    }
}

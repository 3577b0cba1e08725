/**
 * What the library's own packages share with the engine beyond the API: not exported, not API.
 */
package dev.tensorj.internal;

package dev.stingray.runtime.benchmark;

import java.nio.charset.StandardCharsets;

/**
 * The task functions of {@code stingray microbenchmark} (Ray: the {@code @ray.remote} functions of
 * {@code python/ray/_private/ray_perf.py}). They live in the runtime because every worker JVM has the
 * runtime on its class path, so the benchmark driver ships no code of its own.
 */
public final class BenchmarkTasks {

    private BenchmarkTasks() {
    }

    /** Ray: {@code small_value}, the tiny task of the task metrics; returns {@code b"ok"}. */
    public static byte[] smallValue() {
        return "ok".getBytes(StandardCharsets.US_ASCII);
    }
}

package dev.stingray.cli.command;

import dev.stingray.common.gcs.GcsClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code stingray microbenchmark} (Ray: {@code ray microbenchmark}, {@code _private/ray_perf.py}): runs
 * each metric that exists so far against a running cluster, warming up until the rate is stable (the
 * JIT needs 10-20 s on 2 cores), then prints {@code <name> per second <mean> +- <sd>} over the trials
 * and writes Ray's perf-metrics JSON. Metrics so far: internal-KV put/get with one client.
 */
@Command(name = "microbenchmark", description = "Measure operation rates against a running cluster (Ray's metric format).")
public final class MicrobenchmarkCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--trial-seconds", defaultValue = "2", description = "Length of one measured trial.")
    double trialSeconds;

    @Option(names = "--trials", defaultValue = "3", description = "Measured trials per metric.")
    int trials;

    @Option(names = "--max-warmup-seconds", defaultValue = "20", description = "Upper bound of the warm-up per metric.")
    double maxWarmupSeconds;

    @Option(names = "--output", defaultValue = "microbenchmark.json", description = "Where to write the JSON results.")
    Path output;

    @Override
    public Integer call() throws IOException {
        if (trials < 1 || trialSeconds <= 0) {
            throw new IllegalArgumentException("--trials must be at least 1 and --trial-seconds positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, double[]> results = new LinkedHashMap<>();
        try (GcsClient gcs = cluster.connect()) {
            String value = "x".repeat(100);
            for (int i = 0; i < 1000; i++) {
                gcs.kvPut("microbenchmark", "key" + i, value, true);
            }
            results.put("gcs_kv_put_calls", measure(out, "gcs_kv_put_calls", i -> gcs.kvPut("microbenchmark", "key" + (i % 1000), value, true)));
            results.put("gcs_kv_get_calls", measure(out, "gcs_kv_get_calls", i -> gcs.kvGet("microbenchmark", "key" + (i % 1000))));
            gcs.kvDel("microbenchmark", "", true);
        }
        List<Map<String, Object>> json = new ArrayList<>();
        results.forEach((name, r) -> json.add(Map.of("perf_metric_name", name, "perf_metric_value", r[0],
                "perf_metric_sd", r[1], "perf_metric_type", "THROUGHPUT")));
        Files.writeString(output, JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        out.println("Results written to " + output.toAbsolutePath());
        out.flush();
        return 0;
    }

    /** Warms up until two consecutive one-second rates differ by less than 5 %, then runs the trials. */
    private double[] measure(PrintWriter out, String name, IntConsumer op) {
        long warmupEnd = System.nanoTime() + (long) (maxWarmupSeconds * 1e9);
        double previous = 0;
        int counter = 0;
        while (System.nanoTime() < warmupEnd) {
            double rate = rate(op, 1.0, counter);
            counter += (int) rate;
            if (previous > 0 && Math.abs(rate - previous) / previous < 0.05) {
                break;
            }
            previous = rate;
        }
        double[] rates = new double[trials];
        for (int t = 0; t < trials; t++) {
            rates[t] = rate(op, trialSeconds, counter);
        }
        double mean = java.util.Arrays.stream(rates).average().orElse(0);
        double sd = Math.sqrt(java.util.Arrays.stream(rates).map(r -> (r - mean) * (r - mean)).sum() / rates.length);
        out.println(String.format(Locale.ROOT, "%s per second %.2f +- %.2f", name, mean, sd));
        out.flush();
        return new double[] {mean, sd};
    }

    private static double rate(IntConsumer op, double seconds, int offset) {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int n = 0;
        while (System.nanoTime() < end) {
            op.accept(offset + n++);
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }
}

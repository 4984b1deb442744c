package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code stingray microbenchmark} as a real Ray driver against a real cluster started by the CLI: a short
 * smoke run of Ray's task, put and wait metrics, whose tasks run on worker JVMs leased from the raylet, and
 * of two of Ray's actor metrics (the n:n one passes server handles to client actors), and of Ray's client
 * metrics through the cluster's Ray Client server (found through the GCS).
 */
class MicrobenchmarkE2ETest {

    private static final List<String> METRICS = List.of("single_client_tasks_sync", "single_client_put_calls", "single_client_wait_1k_refs",
            "1_1_actor_calls_async", "n_n_actor_calls_async", "placement_group_create/removal", "client__get_calls", "client__put_calls",
            "client__tasks_and_get_batch");
    private static final Pattern LINE = Pattern.compile("^([\\w/]+) per second ([0-9.]+) \\+- ([0-9.]+)$", Pattern.MULTILINE);

    private static StingrayCliDriver cli;
    private static String gcsAddress;

    @BeforeAll
    static void startCluster() {
        cli = new StingrayCliDriver(Map.of());
        gcsAddress = StingrayCliDriver.gcsAddress(cli.startHead("--num-cpus=2"));
    }

    @AfterAll
    static void stopCluster() {
        cli.close();
    }

    @Test
    void measuresRayMetricsAsADriverAndWritesThemAsJson() throws Exception {
        Path json = cli.newTempDir().resolve("mb.json");

        CliRun run = cli.ok("microbenchmark", "--address=" + gcsAddress, "--trial-seconds=0.5", "--trials=1", "--max-warmup-seconds=1",
                "--output=" + json, "--metrics=" + String.join(",", METRICS));

        Map<String, Double> printed = new HashMap<>();
        Matcher m = LINE.matcher(run.stdout());
        while (m.find()) {
            printed.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        assertThat(printed).as(run.all()).containsOnlyKeys(METRICS);
        assertThat(printed.values()).as(run.all()).allSatisfy(rate -> assertThat(rate).isPositive());
        assertThat(run.stdout()).contains("as a Ray driver").contains("as a Ray Client");

        JsonNode results = JsonMapper.builder().build().readTree(Files.readString(json));
        assertThat(results.size()).isEqualTo(METRICS.size());
        for (JsonNode r : results) {
            assertThat(r.get("perf_metric_name").asString()).isIn(METRICS);
            assertThat(r.get("perf_metric_value").asDouble()).isPositive();
            assertThat(r.get("perf_metric_type").asString()).isEqualTo("THROUGHPUT");
        }
    }

    @Test
    void startupMetricsPrintEveryFigureWithMinMedianMaxAndTheJdk() {
        CliRun run = cli.ok("microbenchmark", "--metrics=startup", "--startup-runs=1", "--startup-actors=2");

        assertThat(run.stdout()).as(run.all()).containsPattern("Start-up benchmark on Java \\S+ \\(.+\\), \\d+ cores");
        Pattern figure = Pattern.compile("^(\\w+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+(s|MiB|actors/s)$", Pattern.MULTILINE);
        Map<String, double[]> printed = new HashMap<>();
        Matcher m = figure.matcher(run.stdout());
        while (m.find()) {
            printed.put(m.group(1), new double[] {Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))});
        }
        assertThat(printed).as(run.all()).containsKeys("ray_init", "first_task", "ray_shutdown", "init_shutdown_cycle", "start_head",
                "stop", "daemon_rss_idle_gcs_server", "daemon_rss_idle_raylet", "daemon_rss_idle_dashboard_agent",
                "daemon_rss_idle_log_monitor", "daemon_rss_idle_ray_client_server", "cluster_rss_idle", "cluster_pss_idle", "actor_creation",
                // The two actors take the head's warm workers (one per CPU): their start and hand-off are timed.
                "worker_rss", "warm_worker_ready", "warm_worker_handoff");
        assertThat(printed.values()).allSatisfy(v -> assertThat(v[0]).isPositive().isLessThanOrEqualTo(v[1]));
        assertThat(printed.values()).allSatisfy(v -> assertThat(v[1]).isLessThanOrEqualTo(v[2]));
        // Shared pages are split among the daemons: never more than their summed RSS.
        assertThat(printed.get("cluster_pss_idle")[1]).isLessThanOrEqualTo(printed.get("cluster_rss_idle")[1]);
        // Every measured Ray.shutdown() left no process of its cluster (the benchmark fails otherwise).
        assertThat(run.stdout()).containsPattern("run +embedded default: init [0-9.]+ s, first task [0-9.]+ s, shutdown [0-9.]+ s");
    }
}

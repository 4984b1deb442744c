package dev.stingray.cli.command;

import dev.stingray.common.discovery.ServiceNames;
import dev.stingray.common.discovery.ServiceRegistry;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.runtime.benchmark.BenchmarkActor;
import dev.stingray.runtime.benchmark.BenchmarkTasks;
import io.ray.api.ActorHandle;
import io.ray.api.PlacementGroups;
import io.ray.api.options.PlacementGroupCreationOptions;
import io.ray.api.placementgroup.PlacementGroup;
import io.ray.api.placementgroup.PlacementStrategy;
import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import io.ray.api.exception.RayTimeoutException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code stingray microbenchmark} (Ray: {@code ray microbenchmark}, {@code python/ray/_private/ray_perf.py}).
 * Connects to the cluster at {@code --address} (or the recorded current cluster) as an in-cluster Ray
 * driver ({@code Ray.init()} with {@code ray.address}) and runs each of Ray's metrics that Stingray
 * supports so far, under Ray's names. Each metric warms up until two consecutive one-second rates differ
 * by less than 5 % (at most {@code --max-warmup-seconds}; the JIT needs 10-20 s on 2 cores), then runs
 * {@code --trials} trials of {@code --trial-seconds}, prints Ray's {@code <name> per second <mean> +- <sd>}
 * and writes Ray's perf-metrics JSON.
 *
 * <p>The metrics, and where they differ from Ray's:
 * <ul>
 * <li>{@code single_client_get_calls}: {@code Ray.get} of one small put object. Ray calls it
 *     "single client get calls (Plasma Store)"; Stingray keeps puts in the owner's in-process store.</li>
 * <li>{@code single_client_put_calls}: {@code Ray.put(0)} (Ray: "... put calls (Plasma Store)").</li>
 * <li>{@code single_client_put_gigabytes}: {@code Ray.put} of a 100 MiB {@code byte[]}, in GB/s
 *     (10<sup>9</sup> bytes; Ray puts an 800 MiB numpy array and counts it as 0.8 GB).</li>
 * <li>{@code single_client_wait_1k_refs}: as Ray's: one round submits 1000 tiny tasks, then calls
 *     {@code Ray.wait(notReady, 1)} 1000 times until none is left; the rate is rounds per second.</li>
 * <li>{@code single_client_tasks_sync}: submit one tiny task and get it.</li>
 * <li>{@code single_client_tasks_async}: submit 1000 tiny tasks, then get all; tasks per second.</li>
 * <li>{@code multi_client_tasks_async}: Ray runs 4 actors (4 client processes) that each submit
 *     10000 tasks. Here 4 threads of this one driver each submit a batch
 *     of 1000 tasks and get it; tasks per second. The threads share the driver's core worker (one task
 *     submitter, one lease pool), so this measures one multithreaded client, not four clients.</li>
 * <li>{@code client__get_calls}, {@code client__put_calls}, {@code client__tasks_and_get_batch}: Ray's
 *     {@code ray_client_microbenchmark.py}, run after the driver metrics by a second runtime in Ray Client
 *     mode ({@code ray://}) against the cluster's Ray Client server ({@code --ray-client-address}, else the
 *     one registered in the GCS): {@code Ray.get} of a small object, {@code Ray.put(0)}, and batches of
 *     1000 tiny tasks submitted and got (batches per second, as Ray reports it).</li>
 * <li>{@code 1_1_actor_calls_sync}, {@code 1_1_actor_calls_async} (batches of 1000 calls),
 *     {@code 1_1_actor_calls_concurrent} (an actor with max concurrency 16): as Ray's. {@code 1_n_actor_calls_async}
 *     and {@code n_n_actor_calls_async}: cores/2 server actors, called by one client actor (1:n) or by one
 *     client actor per server (n:n), 1000 calls per server per round (Ray: 5000).</li>
 * <li>{@code actor_creation}: Stingray's own: rounds of 4 actors created and called once, then killed;
 *     actors per second. Each actor starts a worker JVM of its own.</li>
 * <li>{@code placement_group_create/removal}: as Ray's: 100 groups of one tiny bundle created, waited for
 *     and removed per round; groups per second.</li>
 * <li>{@code gcs_kv_put_calls}, {@code gcs_kv_get_calls}: Stingray's own: internal-KV put/get
 *     through the GCS with one client (no driver needed).</li>
 * </ul>
 * The tiny task is {@link BenchmarkTasks#smallValue()} (Ray: {@code small_value}); it lives in the runtime,
 * which every worker JVM has on its class path, so the job ships no code; so do the actors
 * ({@link BenchmarkActor}, Ray's {@code Actor} and {@code Client}). The async-actor
 * metrics are reported as skipped. The benchmark frees its objects in batches with
 * {@code Ray.internal().free} instead of waiting for the garbage collector to drop its refs.
 */
@Command(name = "microbenchmark", description = "Measure operation rates against a running cluster as a Ray driver (Ray's metric names and format).")
public final class MicrobenchmarkCommand implements Callable<Integer> {

    /** Ray's metrics measured here, in {@code ray_perf.py}'s order, then Stingray's own GCS metrics. */
    static final List<String> METRICS = List.of("single_client_get_calls", "single_client_put_calls", "single_client_put_gigabytes",
            "single_client_wait_1k_refs", "single_client_tasks_sync", "single_client_tasks_async", "multi_client_tasks_async",
            "1_1_actor_calls_sync", "1_1_actor_calls_async", "1_1_actor_calls_concurrent", "1_n_actor_calls_async", "n_n_actor_calls_async",
            "actor_creation", "placement_group_create/removal", "client__get_calls", "client__put_calls", "client__tasks_and_get_batch",
            "gcs_kv_put_calls", "gcs_kv_get_calls");

    /** {@code --metrics=startup} alone: the start-up figures of {@link StartupBenchmark} (no running cluster needed). */
    static final String STARTUP = "startup";

    /** Tasks per batch (Ray: {@code range(1000)}). */
    static final int BATCH = 1000;
    /** Submitting threads of {@code multi_client_tasks_async} (Ray: {@code m = 4} actors). */
    static final int CLIENT_THREADS = 4;
    static final int LARGE_OBJECT_BYTES = 100 * 1024 * 1024;
    /** A task result not ready within this long means the cluster cannot run tasks; the benchmark fails instead of hanging. */
    static final int TASK_TIMEOUT_MS = 60_000;
    /** Ray: {@code Actor.options(max_concurrency=16)} for {@code 1_1_actor_calls_concurrent}. */
    static final int CONCURRENT_ACTOR_THREADS = 16;
    /** Calls per server in one round of the 1:n and n:n metrics (Ray: 5000; smaller so a 2-core machine finishes a round in a trial). */
    static final int ACTOR_BATCH = 1000;
    static final int ACTORS_PER_ROUND = 4;
    /** Ray: {@code num_pgs = 100}. */
    static final int PLACEMENT_GROUPS_PER_ROUND = 100;
    /** A new actor needs a worker JVM of its own. */
    static final int ACTOR_START_TIMEOUT_MS = 120_000;

    private static final String KV_NAMESPACE = "microbenchmark";

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--metrics", split = ",", paramLabel = "NAME",
            description = "Comma-separated metrics to run (default: all): single_client_get_calls, single_client_put_calls,"
                    + " single_client_put_gigabytes, single_client_wait_1k_refs, single_client_tasks_sync, single_client_tasks_async,"
                    + " multi_client_tasks_async, 1_1_actor_calls_sync, 1_1_actor_calls_async, 1_1_actor_calls_concurrent,"
                    + " 1_n_actor_calls_async, n_n_actor_calls_async, actor_creation, placement_group_create/removal, client__get_calls,"
                    + " client__put_calls,"
                    + " client__tasks_and_get_batch, gcs_kv_put_calls, gcs_kv_get_calls; or startup alone (StartupBenchmark: Ray.init,"
                    + " start --head, worker JVM and actor start-up, daemon memory; no running cluster needed).")
    List<String> metrics;

    @Option(names = "--ray-client-address", paramLabel = "HOST:PORT",
            description = "The Ray Client server for the client__* metrics (default: the one registered in the cluster's GCS).")
    String rayClientAddress;

    @Option(names = "--trial-seconds", defaultValue = "2", description = "Length of one measured trial.")
    double trialSeconds;

    @Option(names = "--trials", defaultValue = "3", description = "Measured trials per metric.")
    int trials;

    @Option(names = "--max-warmup-seconds", defaultValue = "20", description = "Upper bound of the warm-up per metric.")
    double maxWarmupSeconds;

    @Option(names = "--startup-runs", defaultValue = "5", description = "Measured runs of --metrics=startup (after one warm-up run).")
    int startupRuns;

    @Option(names = "--startup-actors", defaultValue = "100", description = "Actors created in the actor round of --metrics=startup (0 skips it).")
    int startupActors;

    @Option(names = "--output", defaultValue = "microbenchmark.json", description = "Where to write the JSON results.")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (trials < 1) {
            throw new IllegalArgumentException("--trials must be at least 1, got " + trials);
        }
        if (trialSeconds <= 0) {
            throw new IllegalArgumentException("--trial-seconds must be positive, got " + trialSeconds);
        }
        if (maxWarmupSeconds < 0) {
            throw new IllegalArgumentException("--max-warmup-seconds must not be negative, got " + maxWarmupSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (metrics != null && metrics.equals(List.of(STARTUP))) {
            if (startupActors < 0) {
                throw new IllegalArgumentException("--startup-actors must not be negative, got " + startupActors);
            }
            if (startupRuns < 1) {
                throw new IllegalArgumentException("--startup-runs must be at least 1, got " + startupRuns);
            }
            new StartupBenchmark(out, startupRuns, startupActors).run();
            return 0;
        }
        List<String> selected = selectedMetrics();
        String address = cluster.gcsAddress();
        List<String> driverMetrics = selected.stream().filter(m -> !m.startsWith("client__") && !m.startsWith("gcs_kv_")).toList();
        List<String> clientMetrics = selected.stream().filter(m -> m.startsWith("client__")).toList();
        Map<String, double[]> results = new LinkedHashMap<>();
        try (GcsClient gcs = cluster.connect()) {
            if (!driverMetrics.isEmpty()) {
                runAsDriver(address, driverMetrics, gcs, out, results);
            }
            if (!clientMetrics.isEmpty()) {
                runAsDriver("ray://" + clientServerAddress(gcs), clientMetrics, gcs, out, results);
            }
            for (String name : selected) {
                if (name.startsWith("gcs_kv_")) {
                    results.put(name, run(name, gcs, out));
                }
            }
        }
        out.println("Skipped metrics Stingray cannot run yet: *async_actor* (no async actors)");
        List<Map<String, Object>> json = new ArrayList<>();
        results.forEach((name, r) -> {
            Map<String, Object> metric = new LinkedHashMap<>();
            metric.put("perf_metric_name", name);
            metric.put("perf_metric_value", r[0]);
            metric.put("perf_metric_sd", r[1]);
            metric.put("perf_metric_type", "THROUGHPUT");
            json.add(metric);
        });
        Files.writeString(output, JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        out.println("Results written to " + output.toAbsolutePath());
        out.flush();
        return 0;
    }

    /** Runs metrics with one Ray runtime at {@code rayAddress} (in-cluster or {@code ray://}), shut down afterwards. */
    private void runAsDriver(String rayAddress, List<String> names, GcsClient gcs, PrintWriter out, Map<String, double[]> results) {
        startDriver(rayAddress, out);
        try {
            for (String name : names) {
                results.put(name, run(name, gcs, out));
            }
        } finally {
            Ray.shutdown();
        }
    }

    private String clientServerAddress(GcsClient gcs) {
        if (rayClientAddress != null && !rayClientAddress.isBlank()) {
            return rayClientAddress.trim();
        }
        return new ServiceRegistry(gcs).findAny(ServiceNames.RAY_CLIENT_SERVER).flatMap(r -> r.address(ServiceNames.GRPC_PORT))
                .orElseThrow(() -> new IllegalStateException("The client__* metrics need a Ray Client server, and none is registered in the"
                        + " cluster at " + cluster.gcsAddress() + " (it runs on the head node); pass --ray-client-address=HOST:PORT"));
    }

    private List<String> selectedMetrics() {
        if (metrics == null || metrics.isEmpty()) {
            return METRICS;
        }
        List<String> selected = new ArrayList<>();
        for (String m : metrics) {
            String name = m.trim();
            if (!METRICS.contains(name)) {
                throw new IllegalArgumentException("--metrics: unknown metric '" + name + "'; known: " + String.join(",", METRICS));
            }
            if (!selected.contains(name)) {
                selected.add(name);
            }
        }
        return selected;
    }

    /**
     * {@code Ray.init()} as an in-cluster driver. The job's code search path is the workers' own lib
     * directory: the benchmark's tasks are in the runtime there, and the default (the driver's class path,
     * i.e. this CLI's Spring Boot jar) holds nothing a worker could load.
     */
    private static void startDriver(String address, PrintWriter out) {
        System.setProperty("ray.address", address);
        String libDir = System.getProperty("stingray.lib.dir");
        if (System.getProperty("ray.job.code-search-path") == null && libDir != null) {
            System.setProperty("ray.job.code-search-path", Path.of(libDir, "worker").toString());
        }
        try {
            Ray.init();
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new IllegalStateException("Cannot connect a Ray driver to the cluster at " + address + ": " + cause.getMessage(), e);
        }
        out.println("Connected to the cluster at " + address + (address.startsWith("ray://") ? " as a Ray Client" : " as a Ray driver"));
        out.flush();
    }

    private double[] run(String name, GcsClient gcs, PrintWriter out) {
        try {
            return switch (name) {
                case "single_client_get_calls", "client__get_calls" -> getCalls(out, name);
                case "single_client_put_calls", "client__put_calls" -> putCalls(out, name);
                case "client__tasks_and_get_batch" -> measure(out, name, 1, i -> submitAndGetBatch());
                case "single_client_put_gigabytes" -> {
                    byte[] large = new byte[LARGE_OBJECT_BYTES];
                    yield measure(out, name, LARGE_OBJECT_BYTES / 1e9, i -> free(List.of(Ray.put(large))));
                }
                case "single_client_wait_1k_refs" -> measure(out, name, 1, i -> waitOneByOne());
                case "single_client_tasks_sync" -> measure(out, name, 1, i -> {
                    ObjectRef<byte[]> ref = Ray.task(BenchmarkTasks::smallValue).remote();
                    Ray.get(ref, TASK_TIMEOUT_MS);
                    free(List.of(ref));
                });
                case "single_client_tasks_async" -> measure(out, name, BATCH, i -> submitAndGetBatch());
                case "multi_client_tasks_async" -> multiClientTasks(out, name);
                case "1_1_actor_calls_sync" -> withActors(1, 1, actors -> measure(out, name, 1,
                        i -> Ray.get(actors.get(0).task(BenchmarkActor::smallValue).remote(), TASK_TIMEOUT_MS)));
                case "1_1_actor_calls_async" -> withActors(1, 1, actors -> measure(out, name, BATCH, i -> callBatch(actors.get(0))));
                case "1_1_actor_calls_concurrent" -> withActors(1, CONCURRENT_ACTOR_THREADS,
                        actors -> measure(out, name, BATCH, i -> callBatch(actors.get(0))));
                case "1_n_actor_calls_async" -> withActors(actorCount(), 1, servers -> withClients(servers, 1,
                        clients -> measure(out, name, (double) ACTOR_BATCH * servers.size(), i -> clientBatches(clients))));
                case "n_n_actor_calls_async" -> withActors(actorCount(), 1, servers -> withClients(servers, servers.size(),
                        clients -> measure(out, name, (double) ACTOR_BATCH * servers.size(), i -> clientBatches(clients))));
                case "actor_creation" -> measure(out, name, ACTORS_PER_ROUND, i -> createAndCallActors());
                case "placement_group_create/removal" -> measure(out, name, PLACEMENT_GROUPS_PER_ROUND, i -> createAndRemovePlacementGroups());
                case "gcs_kv_put_calls", "gcs_kv_get_calls" -> kvCalls(out, name, gcs);
                default -> throw new IllegalArgumentException("Unknown metric " + name);
            };
        } catch (RayTimeoutException e) {
            throw new IllegalStateException(name + ": a task did not finish within " + TASK_TIMEOUT_MS + " ms (" + e.getMessage()
                    + "); check that the cluster has free CPUs and that worker JVMs start (logs/worker-*-startup.log in the session dir)", e);
        }
    }

    private double[] getCalls(PrintWriter out, String name) {
        ObjectRef<Integer> value = Ray.put(0);
        try {
            return measure(out, name, 1, i -> Ray.get(value));
        } finally {
            free(List.of(value));
        }
    }

    private double[] putCalls(PrintWriter out, String name) {
        List<ObjectRef<Integer>> puts = new ArrayList<>();
        try {
            return measure(out, name, 1, i -> {
                puts.add(Ray.put(0));
                if (puts.size() >= BATCH) {
                    free(puts);
                    puts.clear();
                }
            });
        } finally {
            free(puts);
        }
    }

    /** Ray: {@code n_cpu = multiprocessing.cpu_count() // 2} server actors for the 1:n and n:n metrics. */
    private static int actorCount() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /** Runs {@code body} with {@code count} new server actors (each answered once first, so it is ALIVE), killed afterwards. */
    private static double[] withActors(int count, int maxConcurrency, java.util.function.Function<List<ActorHandle<BenchmarkActor>>, double[]> body) {
        List<ActorHandle<BenchmarkActor>> actors = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                actors.add(Ray.actor(BenchmarkActor::new).setMaxConcurrency(maxConcurrency).remote());
            }
            actors.forEach(a -> Ray.get(a.task(BenchmarkActor::smallValue).remote(), ACTOR_START_TIMEOUT_MS));
            return body.apply(actors);
        } finally {
            actors.forEach(a -> a.kill());
        }
    }

    /** Ray's {@code Client} actors: {@code count} client actors, each calling every server. */
    private static double[] withClients(List<ActorHandle<BenchmarkActor>> servers, int count,
            java.util.function.Function<List<ActorHandle<BenchmarkActor>>, double[]> body) {
        List<ActorHandle<BenchmarkActor>> clients = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                clients.add(Ray.actor(BenchmarkActor::new, new ArrayList<>(servers)).remote());
            }
            clients.forEach(c -> Ray.get(c.task(BenchmarkActor::smallValueBatch, 1).remote(), ACTOR_START_TIMEOUT_MS));
            return body.apply(clients);
        } finally {
            clients.forEach(c -> c.kill());
        }
    }

    private static void clientBatches(List<ActorHandle<BenchmarkActor>> clients) {
        List<ObjectRef<Integer>> batches = new ArrayList<>();
        for (ActorHandle<BenchmarkActor> client : clients) {
            batches.add(client.task(BenchmarkActor::smallValueBatch, ACTOR_BATCH / clients.size()).remote());
        }
        Ray.get(batches, TASK_TIMEOUT_MS);
        free(batches);
    }

    private static void callBatch(ActorHandle<BenchmarkActor> actor) {
        List<ObjectRef<byte[]>> refs = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            refs.add(actor.task(BenchmarkActor::smallValue).remote());
        }
        Ray.get(refs, TASK_TIMEOUT_MS);
        free(refs);
    }

    /**
     * Ray's {@code placement_group_create_removal}: {@value #PLACEMENT_GROUPS_PER_ROUND} groups of one tiny bundle
     * created, each waited for, then all removed (Ray's bundle is {@code {"custom": 0.001}}; here {@code {"CPU": 0.001}}).
     */
    private static void createAndRemovePlacementGroups() {
        List<PlacementGroup> groups = new ArrayList<>();
        for (int i = 0; i < PLACEMENT_GROUPS_PER_ROUND; i++) {
            groups.add(PlacementGroups.createPlacementGroup(new PlacementGroupCreationOptions.Builder()
                    .setBundles(List.of(Map.of("CPU", 0.001))).setStrategy(PlacementStrategy.PACK).build()));
        }
        for (PlacementGroup group : groups) {
            if (!group.wait(30)) {
                throw new IllegalStateException("Placement group " + group.getId() + " was not created within 30 s");
            }
        }
        groups.forEach(g -> PlacementGroups.removePlacementGroup(g.getId()));
    }

    /** Stingray's actor creation rate: {@value #ACTORS_PER_ROUND} actors created and each called once, then killed. */
    private static void createAndCallActors() {
        withActors(ACTORS_PER_ROUND, 1, actors -> new double[0]);
    }

    /** Ray's {@code wait_multiple_refs}: 1000 tiny tasks, then one {@code Ray.wait(notReady, 1)} per task. */
    private static void waitOneByOne() {
        List<ObjectRef<byte[]>> all = submitBatch();
        List<ObjectRef<byte[]>> notReady = all;
        for (int i = 0; i < BATCH; i++) {
            var result = Ray.wait(notReady, 1, TASK_TIMEOUT_MS);
            if (result.getReady().isEmpty()) {
                throw new RayTimeoutException("Ray.wait found none of " + notReady.size() + " refs ready within " + TASK_TIMEOUT_MS + " ms");
            }
            notReady = result.getUnready();
        }
        free(all);
    }

    private static List<ObjectRef<byte[]>> submitBatch() {
        List<ObjectRef<byte[]>> refs = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            refs.add(Ray.task(BenchmarkTasks::smallValue).remote());
        }
        return refs;
    }

    private static void submitAndGetBatch() {
        List<ObjectRef<byte[]>> refs = submitBatch();
        Ray.get(refs, TASK_TIMEOUT_MS);
        free(refs);
    }

    private double[] multiClientTasks(PrintWriter out, String name) {
        out.println(name + ": " + CLIENT_THREADS + " threads of this one driver each submit " + BATCH + " tasks and get them"
                + " (Ray: " + CLIENT_THREADS + " actors, i.e. separate client processes, each submitting 10000)");
        ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS, r -> {
            Thread t = new Thread(r, "microbenchmark-client");
            t.setDaemon(true);
            return t;
        });
        try {
            return measure(out, name, CLIENT_THREADS * BATCH, i -> {
                List<Future<?>> batches = new ArrayList<>();
                for (int c = 0; c < CLIENT_THREADS; c++) {
                    batches.add(clients.submit(MicrobenchmarkCommand::submitAndGetBatch));
                }
                for (Future<?> batch : batches) {
                    await(batch);
                }
            });
        } finally {
            clients.shutdownNow();
        }
    }

    private static void await(Future<?> future) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a client thread", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("A client thread failed: " + e.getCause(), e.getCause());
        }
    }

    private double[] kvCalls(PrintWriter out, String name, GcsClient gcs) {
        String value = "x".repeat(100);
        for (int i = 0; i < BATCH; i++) {
            gcs.kvPut(KV_NAMESPACE, "key" + i, value, true);
        }
        try {
            return name.equals("gcs_kv_put_calls")
                    ? measure(out, name, 1, i -> gcs.kvPut(KV_NAMESPACE, "key" + Math.floorMod(i, BATCH), value, true))
                    : measure(out, name, 1, i -> gcs.kvGet(KV_NAMESPACE, "key" + Math.floorMod(i, BATCH)));
        } finally {
            gcs.kvDel(KV_NAMESPACE, "", true);
        }
    }

    private static void free(List<? extends ObjectRef<?>> refs) {
        if (!refs.isEmpty()) {
            Ray.internal().free(new ArrayList<>(refs), true);
        }
    }

    /**
     * Warms up until two consecutive one-second rates differ by less than 5 % (or the warm-up bound is
     * reached), then runs the trials. {@code multiplier} converts operations into the metric's unit
     * (Ray's {@code timeit} multiplier: tasks per batch, gigabytes per put).
     */
    private double[] measure(PrintWriter out, String name, double multiplier, IntConsumer op) {
        int[] counter = {0};
        long warmupEnd = System.nanoTime() + (long) (maxWarmupSeconds * 1e9);
        double previous = 0;
        while (System.nanoTime() < warmupEnd) {
            double rate = rate(op, 1.0, counter);
            if (previous > 0 && Math.abs(rate - previous) / previous < 0.05) {
                break;
            }
            previous = rate;
        }
        double[] rates = new double[trials];
        for (int t = 0; t < trials; t++) {
            rates[t] = multiplier * rate(op, trialSeconds, counter);
        }
        double mean = Arrays.stream(rates).average().orElse(0);
        double sd = Math.sqrt(Arrays.stream(rates).map(r -> (r - mean) * (r - mean)).sum() / rates.length);
        out.println(String.format(Locale.ROOT, "%s per second %.2f +- %.2f", name, mean, sd));
        out.flush();
        return new double[] {mean, sd};
    }

    /** Operations per second over at least {@code seconds} (at least one operation). */
    private static double rate(IntConsumer op, double seconds, int[] counter) {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int n = 0;
        do {
            op.accept(counter[0]++);
            n++;
        } while (System.nanoTime() < end);
        return n / ((System.nanoTime() - start) / 1e9);
    }
}

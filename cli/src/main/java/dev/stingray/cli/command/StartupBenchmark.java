package dev.stingray.cli.command;

import dev.stingray.common.launch.DaemonLauncher;
import dev.stingray.common.session.SessionDir;
import dev.stingray.runtime.benchmark.BenchmarkActor;
import dev.stingray.runtime.benchmark.BenchmarkTasks;
import io.ray.api.ActorHandle;
import io.ray.api.Ray;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code stingray microbenchmark --metrics=startup}: how long the user waits for a cluster. Each figure is
 * printed with its min / median / max over the measured runs (after one warm-up run that is not counted), with
 * the JDK it ran on:
 * <ul>
 * <li>{@code ray_init}, {@code first_task}, {@code ray_shutdown}, {@code init_shutdown_cycle}: {@code Ray.init()}
 *     without an address in this JVM (the embedded default, from this build's lib dir), the first task's result,
 *     and {@code Ray.shutdown()} until every process of that cluster has exited (checked: none is left).</li>
 * <li>{@code start_head}, {@code stop}: {@code stingray start --head} as a separate command (a new CLI JVM, like
 *     {@code bin/stingray}) until every daemon is ready, and {@code stingray stop}.</li>
 * <li>{@code daemon_rss_idle_<name>}, {@code cluster_rss_idle}: resident memory (MiB) of each daemon of that
 *     head, {@value #IDLE_SETTLE_MS} ms after it was ready, and their sum; {@code cluster_pss_idle}: the sum of
 *     their proportional set sizes (shared pages split among the daemons, so not counted five times); {@code warm_worker_rss_idle}: each warm
 *     worker of that head waiting for a job.</li>
 * <li>{@code worker_jvm_start}: from the raylet's exec of a worker JVM to its registration (able to take a task),
 *     as the raylet logs it, for the workers the actor rounds started for the job; {@code warm_worker_ready}: from
 *     the exec of a warm worker (started for no job) to its announcement; {@code warm_worker_handoff}: from the
 *     hand-off of a warm worker to a job to its registration (what a lease waits for when a warm worker is left).</li>
 * <li>{@code worker_rss}: resident memory (MiB) of each worker JVM hosting one of those actors, after its first call.</li>
 * <li>{@code actor_creation}: {@value #ACTORS} actors with Ray's default resources (1 CPU to schedule, 0 while
 *     alive) created and called once, per second, on that head (an in-cluster driver in this JVM).</li>
 * </ul>
 */
final class StartupBenchmark {

    /** Ray's figure of 100 actors (the target); {@code --startup-actors} changes it, 0 skips the round. */
    static final int ACTORS = 100;
    static final long IDLE_SETTLE_MS = 3000;
    private static final Map<String, Pattern> WORKER_TIMES = Map.of(
            "worker_jvm_start", Pattern.compile("registered (\\d+) ms after its JVM started"),
            "warm_worker_ready", Pattern.compile("Warm worker \\S+ \\(pid \\d+\\) ready (\\d+) ms after its JVM started"),
            "warm_worker_handoff", Pattern.compile("registered (\\d+) ms after its hand-off"));
    /** A worker's log file once it serves a job: {@code worker-<id>-<job>-<pid>.out}. */
    private static final Pattern JOB_WORKER_LOG = Pattern.compile("worker-[0-9a-f]+-[0-9a-f]+-(\\d+)\\.out");

    private final PrintWriter out;
    private final int runs;
    private final int actorCount;
    private final Path libDir = DaemonLauncher.findLibDir();
    private final Map<String, List<Double>> figures = new LinkedHashMap<>();

    StartupBenchmark(PrintWriter out, int runs, int actorCount) {
        this.out = out;
        this.runs = runs;
        this.actorCount = actorCount;
    }

    /** Runs everything and prints the table; returns the medians by name. */
    Map<String, Double> run() throws Exception {
        out.printf("Start-up benchmark on Java %s (%s), %d cores; %d measured runs after 1 warm-up%n", Runtime.version(),
                System.getProperty("java.home"), Runtime.getRuntime().availableProcessors(), runs);
        out.flush();
        for (int i = 0; i <= runs; i++) {
            embeddedCycle(i > 0);
        }
        for (int i = 0; i <= runs; i++) {
            headCycle(i > 0, i == runs);
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        out.printf("%-28s %10s %10s %10s%n", "figure", "min", "median", "max");
        figures.forEach((name, values) -> {
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
            medians.put(name, median);
            out.printf(Locale.ROOT, "%-28s %10.3f %10.3f %10.3f  %s%n", name, sorted[0], median, sorted[sorted.length - 1], unit(name));
        });
        out.flush();
        return medians;
    }

    private static String unit(String name) {
        if (name.contains("rss") || name.contains("pss")) {
            return "MiB";
        }
        return name.equals("actor_creation") ? "actors/s" : "s";
    }

    private void record(boolean measured, String name, double value) {
        if (measured) {
            figures.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
    }

    private void embeddedCycle(boolean measured) throws IOException {
        System.clearProperty("ray.address");
        System.setProperty("ray.stingray.lib-dir", libDir.toString());
        System.setProperty("ray.job.code-search-path", libDir.resolve("worker").toString());
        List<Path> before = localTempDirs();
        long t0 = System.nanoTime();
        Ray.init();
        long t1 = System.nanoTime();
        byte[] value = Ray.get(Ray.task(BenchmarkTasks::smallValue).remote(), 60_000);
        long t2 = System.nanoTime();
        Ray.shutdown();
        long t3 = System.nanoTime();
        if (value == null) {
            throw new IllegalStateException("The first task returned nothing");
        }
        List<Path> created = localTempDirs();
        created.removeAll(before);
        for (Path temp : created) {
            List<String> left = processesNaming(temp.toString());
            if (!left.isEmpty()) {
                throw new IllegalStateException("Ray.shutdown() returned with processes of " + temp + " still running: " + left);
            }
        }
        record(measured, "ray_init", seconds(t1 - t0));
        record(measured, "first_task", seconds(t2 - t1));
        record(measured, "ray_shutdown", seconds(t3 - t2));
        record(measured, "init_shutdown_cycle", seconds(t3 - t0));
        out.printf(Locale.ROOT, "%s embedded default: init %.2f s, first task %.2f s, shutdown %.2f s%n", measured ? "run   " : "warmup",
                seconds(t1 - t0), seconds(t2 - t1), seconds(t3 - t2));
        out.flush();
    }

    private void headCycle(boolean measured, boolean withActors) throws Exception {
        Path temp = Files.createTempDirectory("stingray-bench");
        long t0 = System.nanoTime();
        cli("start", "--head", "--port=0", "--temp-dir=" + temp, "--ray-client-server-port=0", "--dashboard-agent-listen-port=0");
        long t1 = System.nanoTime();
        record(measured, "start_head", seconds(t1 - t0));
        Path session = temp.resolve("session_latest").toRealPath();
        try {
            Thread.sleep(IDLE_SETTLE_MS);
            double total = 0;
            double totalPss = 0;
            for (Path pidFile : pidFiles(session)) {
                String daemon = pidFile.getFileName().toString().replaceFirst("_[0-9a-f]+\\.pid$", "");
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                double rss = rssMiB(pid);
                total += rss;
                totalPss += pssMiB(pid);
                record(measured, "daemon_rss_idle_" + daemon, rss);
            }
            record(measured, "cluster_rss_idle", total);
            // RSS counts the pages the daemons share (libjvm, the JDK's class-data archive) once per daemon; PSS
            // splits them among their users, so the sum is what the head takes.
            record(measured, "cluster_pss_idle", totalPss);
            // The warm workers waiting for a job (one per CPU) are not daemons: their memory is a figure of its own.
            String sessionPath = session.toString();
            for (ProcessHandle warm : ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                    .map(c -> c.contains("-D" + dev.stingray.common.worker.WorkerAssignment.WARM_PROPERTY + "=true") && c.contains(sessionPath))
                    .orElse(false)).toList()) {
                record(measured, "warm_worker_rss_idle", rssMiB(warm.pid()));
            }
            if (withActors && actorCount > 0) {
                actorRounds(Files.readString(temp.resolve(SessionDir.CURRENT_CLUSTER_FILE)).trim(), session);
            }
        } finally {
            long t2 = System.nanoTime();
            cli("stop", "--temp-dir=" + temp);
            long t3 = System.nanoTime();
            record(measured, "stop", seconds(t3 - t2));
            out.printf(Locale.ROOT, "%s stingray start --head %.2f s, stop %.2f s%n", measured ? "run   " : "warmup", seconds(t1 - t0),
                    seconds(t3 - t2));
            out.flush();
        }
    }

    /** {@code actorCount} default (0 CPUs while alive) actors, created and called once each, as fast as the cluster allows; then the workers' start times. */
    private void actorRounds(String gcsAddress, Path session) throws IOException {
        System.setProperty("ray.address", gcsAddress);
        Ray.init();
        try {
            long t0 = System.nanoTime();
            List<ActorHandle<BenchmarkActor>> actors = new ArrayList<>();
            for (int i = 0; i < actorCount; i++) {
                actors.add(Ray.actor(BenchmarkActor::new).remote());
            }
            for (ActorHandle<BenchmarkActor> actor : actors) {
                Ray.get(actor.task(BenchmarkActor::smallValue).remote(), 300_000);
            }
            double elapsed = seconds(System.nanoTime() - t0);
            figures.computeIfAbsent("actor_creation", n -> new ArrayList<>()).add(actorCount / elapsed);
            // Workers serving the job (warm ones still waiting for a job host no actor).
            try (Stream<Path> logs = Files.list(session.resolve("logs"))) {
                for (Path log : logs.toList()) {
                    Matcher jobWorker = JOB_WORKER_LOG.matcher(log.getFileName().toString());
                    if (jobWorker.matches() && ProcessHandle.of(Long.parseLong(jobWorker.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
                        figures.computeIfAbsent("worker_rss", n -> new ArrayList<>()).add(rssMiB(Long.parseLong(jobWorker.group(1))));
                    }
                }
            }
            out.printf(Locale.ROOT, "actors: %d created and called in %.2f s (%.1f actors/s)%n", actorCount, elapsed, actorCount / elapsed);
            actors.forEach(a -> a.kill(true));
        } finally {
            Ray.shutdown();
            System.clearProperty("ray.address");
        }
        Path rayletLog = session.resolve("logs").resolve("raylet.out");
        String log = Files.readString(rayletLog, StandardCharsets.UTF_8);
        WORKER_TIMES.forEach((figure, pattern) -> {
            Matcher m = pattern.matcher(log);
            while (m.find()) {
                figures.computeIfAbsent(figure, n -> new ArrayList<>()).add(Integer.parseInt(m.group(1)) / 1000.0);
            }
        });
    }

    private void cli(String... args) throws IOException, InterruptedException {
        Optional<Path> cliJar = Stream.of(libDir.resolve("cli").resolve("cli.jar"), libDir.resolve("cli.jar")).filter(Files::isRegularFile)
                .findFirst();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Dstingray.lib.dir=" + libDir, "-jar",
                cliJar.orElseThrow(() -> new IllegalStateException("No cli.jar in " + libDir)).toString()));
        command.addAll(Arrays.asList(args));
        Path log = Files.createTempFile("stingray-bench-cli", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("stingray " + String.join(" ", args) + " failed:\n" + Files.readString(log));
        }
        Files.deleteIfExists(log);
    }

    private static List<Path> pidFiles(Path session) throws IOException {
        try (Stream<Path> files = Files.list(session)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pid")).sorted().toList();
        }
    }

    /** Proportional set size (MiB): resident pages, shared ones divided among the processes that map them. */
    private static double pssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
            if (line.startsWith("Pss:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("No Pss for pid " + pid);
    }

    private static double rssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("No VmRSS for pid " + pid);
    }

    private static List<Path> localTempDirs() {
        try (Stream<Path> dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return new ArrayList<>(dirs.filter(d -> d.getFileName().toString().startsWith("stingray-local")).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> processesNaming(String text) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(text)).toList();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}

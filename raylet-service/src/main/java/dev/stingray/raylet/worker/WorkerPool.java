package dev.stingray.raylet.worker;

import com.google.protobuf.ByteString;
import dev.stingray.common.worker.WorkerAssignment;
import dev.stingray.proto.Address;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raylet's worker JVMs (Ray: {@code worker_pool.cc}). Starts workers from a command template
 * ({@code java <job JVM options> -cp <worker lib>/*:<job code search path> dev.stingray.worker.WorkerMain}
 * with the worker's identity as {@code ray.worker.*} properties), reuses an idle worker only for the
 * same job and the same runtime env, kills workers that do not register within the registration timeout
 * and idle workers after the idle timeout, and reports worker deaths.
 *
 * <p>It also keeps <em>warm</em> workers: JVMs started for no job ({@code -cp <worker lib>/*} and the node's
 * identity only) that initialize once and wait. A lease of a job whose workers need no JVM options or
 * environment variables of their own takes one: the pool writes the job's {@link WorkerAssignment} to the
 * worker's standard input, the worker loads the job's code with a job class loader and registers, and a
 * replacement is started once it has.
 *
 * <p>Thread-safe: state is guarded by this object's monitor.
 */
public final class WorkerPool {

    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String WORKER_MAIN = "dev.stingray.worker.WorkerMain";

    /** What the pool needs to know about this node to start workers. */
    public record NodeContext(String nodeIdHex, String nodeIp, String rayletAddress, String gcsAddress, Path sessionDir, Path workerLibDir,
            List<String> defaultJvmOptions) {
    }

    private final java.util.function.Supplier<NodeContext> nodeContext;
    private final ScheduledExecutorService scheduler;
    private final Duration registerTimeout;
    private final Duration idleTimeout;
    private final Consumer<WorkerProcess> onWorkerDeath;
    private final Map<ByteString, WorkerProcess> workers = new ConcurrentHashMap<>();
    private final Map<ByteString, dev.stingray.proto.JobConfig> jobConfigs = new ConcurrentHashMap<>();
    private final int maxStartingWorkers;
    private final RuntimeEnvPackages packages;
    private volatile Runnable onRegistered = () -> { };
    private volatile WorkerStartupArchive startupArchive;
    /** The JVM recording the worker start-up archive, if one runs: it ends with the pool. */
    private volatile Process recorder;
    /** How many warm workers awaiting a job the pool keeps; 0 until {@link #keepWarm} is called. */
    private volatile int warmTarget;

    /**
     * @param maxStartingWorkers Ray's {@code worker_maximum_startup_concurrency}: at most this many workers start at once
     */
    public WorkerPool(java.util.function.Supplier<NodeContext> nodeContext, ScheduledExecutorService scheduler, Duration registerTimeout,
            Duration idleTimeout, int maxStartingWorkers, RuntimeEnvPackages packages, Consumer<WorkerProcess> onWorkerDeath) {
        this.packages = packages;
        this.maxStartingWorkers = Math.max(1, maxStartingWorkers);
        this.nodeContext = nodeContext;
        this.scheduler = scheduler;
        this.registerTimeout = registerTimeout;
        this.idleTimeout = idleTimeout;
        this.onWorkerDeath = onWorkerDeath;
        scheduler.scheduleWithFixedDelay(this::killIdleWorkers, 1, 1, TimeUnit.SECONDS);
    }

    /** An idle registered worker of the job started with the same runtime env, leased to the caller, or empty. */
    public synchronized Optional<WorkerProcess> popIdle(ByteString jobId, String runtimeEnv) {
        for (WorkerProcess w : workers.values()) {
            // An unleased worker still starting (prestarted) counts too: the grant waits for its registration.
            if (!w.isLeased() && !w.dedicated() && w.jobId().equals(jobId) && w.runtimeEnv().equals(runtimeEnv)
                    && !w.registered().isCompletedExceptionally()
                    && w.process().isAlive()) {
                w.setLeased(true);
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }

    /** Called whenever a worker registers (the lease manager retries queued requests). */
    public void setOnRegistered(Runnable onRegistered) {
        this.onRegistered = onRegistered;
    }

    /** Whether another worker may start now (bounded start-up concurrency). */
    public synchronized boolean canStartWorker() {
        return workers.values().stream().filter(WorkerProcess::starting).count() < maxStartingWorkers;
    }

    /** A job started: remember its configuration and prestart up to {@code count} idle workers for it (Ray: prestart). */
    public synchronized void onJobStarted(ByteString jobId, dev.stingray.proto.JobConfig config, int count) {
        if (jobConfigs.putIfAbsent(jobId, config) != null) {
            return;
        }
        if (warmTarget > 0 && canTakeWarm(config.getJvmOptionsList(),
                dev.stingray.common.runtimeenv.RuntimeEnvSpec.parse(config.getSerializedRuntimeEnv()))) {
            // Its leases take warm workers: nothing to start for it.
            return;
        }
        for (int i = 0; i < count && canStartWorker(); i++) {
            try {
                start(jobId).setLeased(false);
            } catch (RuntimeException e) {
                log.warn("Could not prestart a worker for job {}: {}", HexFormat.of().formatHex(jobId.toByteArray()), e.getMessage());
                return;
            }
        }
    }

    /**
     * A job finished: its workers are killed at once (Ray: workers of finished jobs do not linger), except
     * those running detached actors, which live until the actor is killed.
     */
    public synchronized void onJobFinished(ByteString jobId) {
        // The job's config stays (it is small): a detached actor of the job restarted later needs its namespace and options.
        workers.values().stream().filter(w -> w.jobId().equals(jobId) && !w.hostsDetachedActor()).forEach(w -> w.process().destroy());
    }

    /** Starts a worker for the job, leased to the caller; its future completes on registration. */
    public synchronized WorkerProcess start(ByteString jobId) {
        dev.stingray.proto.JobConfig config = jobConfigs.getOrDefault(jobId, dev.stingray.proto.JobConfig.getDefaultInstance());
        return start(jobId, config.getCodeSearchPathList(), config.getJvmOptionsList(), List.of(), config.getSerializedRuntimeEnv());
    }

    /**
     * Starts a worker with an explicit class path (the lease carries the job's code search path) in a runtime
     * env: the job's JVM options, then the actor's own ({@code setJvmOptions}), then the env's {@code jvm_options};
     * its {@code env_vars} in the process environment, its {@code java_jars} (fetched and unpacked once per node) on
     * the class path.
     */
    public synchronized WorkerProcess start(ByteString jobId, List<String> codeSearchPath, List<String> jobJvmOptions,
            List<String> actorJvmOptions, String runtimeEnv) {
        NodeContext node = nodeContext.get();
        dev.stingray.common.runtimeenv.RuntimeEnvSpec env = dev.stingray.common.runtimeenv.RuntimeEnvSpec.parse(runtimeEnv);
        requireWorkerLibDir(node);
        ByteString workerId = newWorkerId();
        String idHex = HexFormat.of().formatHex(workerId.toByteArray());
        String jobHex = HexFormat.of().formatHex(jobId.toByteArray());
        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        command.addAll(node.defaultJvmOptions());
        command.addAll(startupArchive(node).jvmFlags());
        command.addAll(jobJvmOptions);
        command.addAll(actorJvmOptions);
        command.addAll(env.jvmOptions());
        if (!env.isEmpty()) {
            // Tasks this worker submits run in the same env (Ray: nested tasks inherit their parent's).
            command.add("-Dray.worker.runtime-env=" + env.toJson());
        }
        command.addAll(identityFlags(node, idHex));
        command.add("-Dray.worker.job-id=" + jobHex);
        if (!jobJvmOptions.isEmpty()) {
            // Its nested tasks carry the job's JVM options on, as the driver's do.
            command.add("-Dray.job.jvm-options=" + String.join(" ", jobJvmOptions));
        }
        command.add("-Dray.job.code-search-path=" + String.join(File.pathSeparator, codeSearchPath));
        dev.stingray.proto.JobConfig jobConfig = jobConfigs.get(jobId);
        if (jobConfig != null && !jobConfig.getRayNamespace().isEmpty()) {
            // Ray.getActor(name) in a task looks in the job's namespace.
            command.add("-Dray.job.namespace=" + jobConfig.getRayNamespace());
        }
        command.add("-cp");
        List<String> classPath = new ArrayList<>();
        classPath.add(node.workerLibDir().resolve("*").toString());
        classPath.addAll(packages.classPath(env));
        classPath.addAll(packages.classPath(codeSearchPath));
        command.add(String.join(File.pathSeparator, classPath));
        command.add(WORKER_MAIN);
        WorkerProcess worker = spawn(command, env.envVars(), node, idHex, p -> new WorkerProcess(workerId, jobId, p, env.toJson()));
        log.info("Started worker {} (pid {}) for job {}", idHex, worker.process().pid(), jobHex);
        return worker;
    }

    /**
     * Keeps {@code count} warm workers awaiting a job from now on (started one after the other, each handed-off one
     * replaced once it has registered); 0 stops replacing them.
     */
    public synchronized void keepWarm(int count) {
        if (count > 0 && !holdsWorkerJars(nodeContext.get().workerLibDir())) {
            log.warn("No warm workers: the worker lib dir '{}' holds no jars (stingray.raylet.worker-lib-dir)",
                    nodeContext.get().workerLibDir());
            return;
        }
        this.warmTarget = Math.max(0, count);
        fillWarm();
    }

    private static boolean holdsWorkerJars(Path workerLibDir) {
        if (!Files.isDirectory(workerLibDir)) {
            return false;
        }
        try (java.util.stream.Stream<Path> files = Files.list(workerLibDir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".jar"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts a warm worker when there are fewer than the target and none is starting: one at a time, so that on a
     * small machine the first is ready as soon as it can be (two starting at once both take twice as long).
     */
    private synchronized void fillWarm() {
        long awaiting = workers.values().stream().filter(WorkerProcess::awaitsJob).count();
        boolean oneStarting = workers.values().stream().anyMatch(w -> w.awaitsJob() && w.starting());
        if (awaiting < warmTarget && !oneStarting && canStartWorker()) {
            try {
                startWarm();
            } catch (RuntimeException e) {
                log.warn("Could not start a warm worker: {}", e.getMessage());
            }
        }
    }

    private WorkerProcess startWarm() {
        NodeContext node = nodeContext.get();
        requireWorkerLibDir(node);
        ByteString workerId = newWorkerId();
        String idHex = HexFormat.of().formatHex(workerId.toByteArray());
        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        command.addAll(node.defaultJvmOptions());
        command.addAll(startupArchive(node).jvmFlags());
        command.add("-D" + WorkerAssignment.WARM_PROPERTY + "=true");
        command.addAll(identityFlags(node, idHex));
        command.add("-cp");
        command.add(node.workerLibDir().resolve("*").toString());
        command.add(WORKER_MAIN);
        WorkerProcess worker = spawn(command, Map.of(), node, idHex, p -> WorkerProcess.warm(workerId, p));
        log.info("Started warm worker {} (pid {})", idHex, worker.process().pid());
        return worker;
    }

    /**
     * Whether workers of a job with these JVM options in this env may be warm ones: one started for no job has only
     * the node's JVM options and environment, so the job and the env must add none.
     */
    private static boolean canTakeWarm(List<String> jobJvmOptions, dev.stingray.common.runtimeenv.RuntimeEnvSpec env) {
        return jobJvmOptions.isEmpty() && env.jvmOptions().isEmpty() && env.envVars().isEmpty();
    }

    /**
     * A warm worker handed to the lease's job (its assignment written; the grant then waits for its registration as
     * for any starting worker), or empty when none is left or the job or env cannot use one.
     *
     * @param lease      the lease's task spec: job, JVM options, code search path and namespace of the job
     * @param runtimeEnv the lease's canonical runtime env JSON
     */
    public synchronized Optional<WorkerProcess> handOffWarm(dev.stingray.proto.TaskSpec lease, String runtimeEnv) {
        dev.stingray.common.runtimeenv.RuntimeEnvSpec env = dev.stingray.common.runtimeenv.RuntimeEnvSpec.parse(runtimeEnv);
        if (!canTakeWarm(lease.getJobJvmOptionsList(), env)) {
            return Optional.empty();
        }
        ByteString jobId = lease.getJobId();
        List<String> codeSearchPath = lease.getCodeSearchPathList();
        String namespace = lease.getRayNamespace();
        // A warm one that is ready first, else the one that started first (the grant waits for it).
        List<WorkerProcess> candidates = workers.values().stream().filter(w -> w.awaitsJob() && w.process().isAlive())
                .sorted(java.util.Comparator.comparing((WorkerProcess w) -> !w.warmedUp().isDone()).thenComparing(WorkerProcess::startedNanos))
                .toList();
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        // Packages are fetched (once per node) before the hand-off, as for a worker started for the job.
        List<String> classPath = new ArrayList<>(packages.classPath(env));
        classPath.addAll(packages.classPath(codeSearchPath));
        WorkerAssignment assignment = new WorkerAssignment(HexFormat.of().formatHex(jobId.toByteArray()), namespace, codeSearchPath,
                classPath, env.isEmpty() ? "" : env.toJson());
        for (WorkerProcess w : candidates) {
            try (var stdin = w.process().getOutputStream()) {
                assignment.writeTo(stdin);
            } catch (IOException e) {
                // It died meanwhile: its exit is handled on its own; try the next one.
                w.process().destroyForcibly();
                continue;
            }
            w.handedOff(jobId, env.toJson());
            w.setLeased(true);
            log.info("Handed warm worker {} (pid {}) to job {}", w.workerIdHex(), w.process().pid(), assignment.jobIdHex());
            // Its replacement starts once it runs the job: starting both at once would slow the one a lease waits for.
            w.registered().whenComplete((address, error) -> scheduler.execute(this::fillWarm));
            return Optional.of(w);
        }
        return Optional.empty();
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static ByteString newWorkerId() {
        byte[] id = new byte[28];
        RANDOM.nextBytes(id);
        return ByteString.copyFrom(id);
    }

    /** The {@code ray.worker.*} properties that tell a worker JVM who it is and where its node is. */
    private static List<String> identityFlags(NodeContext node, String idHex) {
        return List.of("-Dray.worker.id=" + idHex,
                "-Dray.worker.node-id=" + node.nodeIdHex(),
                "-Dray.worker.node-ip=" + node.nodeIp(),
                "-Dray.worker.raylet-address=" + node.rayletAddress(),
                "-Dray.worker.raylet-pid=" + ProcessHandle.current().pid(),
                "-Dray.worker.gcs-address=" + node.gcsAddress(),
                "-Dray.worker.session-dir=" + node.sessionDir());
    }

    private static void requireWorkerLibDir(NodeContext node) {
        if (!Files.isDirectory(node.workerLibDir())) {
            throw new IllegalStateException("Cannot start workers: the worker class path directory '" + node.workerLibDir()
                    + "' does not exist (stingray.raylet.worker-lib-dir; `stingray start` sets it to build/lib/worker)");
        }
    }

    /**
     * Execs a worker JVM with its output in {@code <session>/logs/worker-<id>-startup.log}, tracked until it exits,
     * killed when it has not registered (or, warm, announced itself) within the registration timeout.
     */
    private WorkerProcess spawn(List<String> command, Map<String, String> envVars, NodeContext node, String idHex,
            java.util.function.Function<Process, WorkerProcess> describe) {
        Path startupLog = node.sessionDir().resolve("logs").resolve("worker-" + idHex + "-startup.log");
        try {
            Files.createDirectories(startupLog.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(startupLog.toFile()));
            builder.environment().putAll(envVars);
            Process p = builder.start();
            WorkerProcess worker = describe.apply(p);
            worker.setLeased(!worker.awaitsJob());
            workers.put(worker.workerId(), worker);
            p.onExit().thenRun(() -> died(worker));
            scheduler.schedule(() -> {
                boolean late = worker.awaitsJob() ? !worker.warmedUp().isDone() : !worker.registered().isDone();
                if (late) {
                    worker.registered().completeExceptionally(new IllegalStateException("Worker " + idHex + " did not register within "
                            + registerTimeout.toSeconds() + " s; see " + startupLog));
                    p.destroyForcibly();
                }
            }, registerTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return worker;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start a worker JVM: " + e.getMessage(), e);
        }
    }

    private WorkerStartupArchive startupArchive(NodeContext node) {
        if (startupArchive == null) {
            startupArchive = WorkerStartupArchive.of(node.workerLibDir());
        }
        return startupArchive;
    }

    /**
     * Records the worker's start-up archive in the background when this lib dir has none for this JVM yet (once
     * per lib dir and JDK; a lock file keeps two raylets of one machine from both doing it): one worker JVM starts
     * as every worker does but with the recording flag, initializes against this node, and exits.
     */
    public void recordStartupArchive() {
        NodeContext node = nodeContext.get();
        if (!holdsWorkerJars(node.workerLibDir())) {
            return;
        }
        WorkerStartupArchive archive = startupArchive(node);
        Path lock = archive.file().resolveSibling(archive.file().getFileName() + ".lock");
        if (archive.exists() || !Files.isWritable(node.workerLibDir())) {
            return;
        }
        if (!takeLock(lock)) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        command.addAll(node.defaultJvmOptions());
        command.add(archive.recordFlag());
        command.add("-D" + WorkerStartupArchive.RECORD_PROPERTY + "=true");
        command.addAll(identityFlags(node, HexFormat.of().formatHex(newWorkerId().toByteArray())));
        command.add("-Dray.worker.job-id=" + WorkerAssignment.NO_JOB);
        command.add("-cp");
        command.add(node.workerLibDir().resolve("*").toString());
        command.add(WORKER_MAIN);
        Path log = node.sessionDir().resolve("logs").resolve("worker-startup-archive.log");
        Thread recorder = new Thread(() -> {
            try {
                // A recording cut short by an earlier kill must not be installed.
                Files.deleteIfExists(archive.recordingFile());
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                this.recorder = p;
                if (!p.waitFor(3, TimeUnit.MINUTES)) {
                    p.destroyForcibly().waitFor();
                }
                if (p.exitValue() == 0 && archive.install()) {
                    WorkerPool.log.info("Recorded the worker start-up archive {}", archive.file());
                } else {
                    WorkerPool.log.warn("No worker start-up archive was recorded; workers start without one (see {})", log);
                }
            } catch (IOException e) {
                WorkerPool.log.warn("Could not record the worker start-up archive: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    Files.deleteIfExists(lock);
                } catch (IOException e) {
                    WorkerPool.log.debug("Could not remove {}: {}", lock, e.toString());
                }
            }
        }, "worker-startup-archive");
        recorder.setDaemon(true);
        recorder.start();
    }

    /**
     * Creates the lock file holding this raylet's pid; a lock whose raylet is gone (killed while recording) is
     * taken over. False when a live raylet is recording.
     */
    private static boolean takeLock(Path lock) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.writeString(lock, Long.toString(ProcessHandle.current().pid()), java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException held) {
                try {
                    boolean holderAlive = ProcessHandle.of(Long.parseLong(Files.readString(lock).trim())).map(ProcessHandle::isAlive)
                            .orElse(false);
                    if (holderAlive) {
                        return false;
                    }
                    Files.deleteIfExists(lock);
                } catch (IOException | NumberFormatException e) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * A worker announced its core worker port (Ray: RegisterClientRequest); a warm worker without a job announces
     * itself without a port once it is ready to be handed to one.
     */
    public void register(ByteString workerId, int port) {
        WorkerProcess w = workers.get(workerId);
        if (w == null) {
            throw new IllegalArgumentException("Unknown worker id " + HexFormat.of().formatHex(workerId.toByteArray())
                    + ": workers are started by this raylet");
        }
        Optional<java.time.Instant> started = w.process().info().startInstant();
        long sinceStart = started.map(s -> Duration.between(s, java.time.Instant.now()).toMillis()).orElse(-1L);
        if (port == 0) {
            if (!w.startedWarm()) {
                throw new IllegalArgumentException("Worker " + w.workerIdHex() + " was started for job "
                        + HexFormat.of().formatHex(w.jobId().toByteArray()) + ", not warm: it must register with its core worker's port");
            }
            w.warmedUp().complete(null);
            log.info("Warm worker {} (pid {}) ready {} ms after its JVM started", w.workerIdHex(), w.process().pid(), sinceStart);
            scheduler.execute(this::fillWarm);
        } else {
            w.registered().complete(Address.newBuilder().setIpAddress(nodeContext.get().nodeIp()).setPort(port).setWorkerId(workerId).build());
            if (w.startedWarm()) {
                log.info("Worker {} (pid {}) registered {} ms after its hand-off to job {}", w.workerIdHex(), w.process().pid(),
                        (System.nanoTime() - w.handedOffNanos()) / 1_000_000, HexFormat.of().formatHex(w.jobId().toByteArray()));
            } else {
                // Ray's worker_register_time_ms: from process start to registration.
                log.info("Worker {} (pid {}) registered {} ms after its JVM started", w.workerIdHex(), w.process().pid(), sinceStart);
            }
        }
        onRegistered.run();
    }

    /** The lease of a worker ended; {@code disconnect} kills it (it failed or the caller says so). */
    public void release(ByteString workerId, boolean disconnect) {
        WorkerProcess w = workers.get(workerId);
        if (w == null) {
            return;
        }
        if (disconnect || w.dedicated()) {
            w.process().destroyForcibly();
        } else {
            w.setLeased(false);
        }
    }

    private void died(WorkerProcess worker) {
        workers.remove(worker.workerId());
        worker.registered().completeExceptionally(new IllegalStateException("Worker " + worker.workerIdHex() + " exited with "
                + worker.process().exitValue()));
        if (worker.awaitsJob()) {
            // No job, no lease: nothing to report. Not replaced, so that a worker that cannot start is not restarted forever.
            log.warn("Warm worker {} (pid {}) exited with {} before it was handed to a job", worker.workerIdHex(), worker.process().pid(),
                    worker.process().exitValue());
            return;
        }
        onWorkerDeath.accept(worker);
    }

    private void killIdleWorkers() {
        long now = System.currentTimeMillis();
        for (WorkerProcess w : workers.values()) {
            if (!w.isLeased() && !w.awaitsJob() && now - w.idleSince() > idleTimeout.toMillis()) {
                log.info("Killing idle worker {}", w.workerIdHex());
                w.process().destroy();
            }
        }
    }

    public int size() {
        return workers.size();
    }

    /** The workers now tracked, for tests. */
    List<WorkerProcess> workersForTest() {
        return List.copyOf(workers.values());
    }

    public void stop() {
        workers.values().forEach(w -> w.process().destroyForcibly());
        Process recording = recorder;
        if (recording != null) {
            // Cut short, it installs nothing: the next start records again.
            recording.destroyForcibly();
        }
    }

}

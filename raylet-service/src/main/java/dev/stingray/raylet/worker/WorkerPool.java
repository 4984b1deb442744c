package dev.stingray.raylet.worker;

import com.google.protobuf.ByteString;
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
 * <p>Thread-safe: state is guarded by this object's monitor.
 */
public final class WorkerPool {

    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    private static final SecureRandom RANDOM = new SecureRandom();

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
        return workers.values().stream().filter(w -> !w.registered().isDone()).count() < maxStartingWorkers;
    }

    /** A job started: remember its configuration and prestart up to {@code count} idle workers for it (Ray: prestart). */
    public synchronized void onJobStarted(ByteString jobId, dev.stingray.proto.JobConfig config, int count) {
        if (jobConfigs.putIfAbsent(jobId, config) != null) {
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
        return start(jobId, config.getCodeSearchPathList(), config.getJvmOptionsList(), config.getSerializedRuntimeEnv());
    }

    /** The job's JVM options (from its job config), empty when the job is unknown. */
    public List<String> jvmOptionsOf(ByteString jobId) {
        dev.stingray.proto.JobConfig config = jobConfigs.get(jobId);
        return config == null ? List.of() : config.getJvmOptionsList();
    }

    /**
     * Starts a worker with an explicit class path (the lease carries the job's code search path) in a runtime
     * env: its {@code env_vars} in the process environment, its {@code jvm_options} after the job's, its
     * {@code java_jars} (fetched and unpacked once per node) on the class path.
     */
    public synchronized WorkerProcess start(ByteString jobId, List<String> codeSearchPath, List<String> jobJvmOptions, String runtimeEnv) {
        NodeContext node = nodeContext.get();
        dev.stingray.common.runtimeenv.RuntimeEnvSpec env = dev.stingray.common.runtimeenv.RuntimeEnvSpec.parse(runtimeEnv);
        if (!Files.isDirectory(node.workerLibDir())) {
            throw new IllegalStateException("Cannot start workers: the worker class path directory '" + node.workerLibDir()
                    + "' does not exist (stingray.raylet.worker-lib-dir; `stingray start` sets it to build/lib/worker)");
        }
        byte[] id = new byte[28];
        RANDOM.nextBytes(id);
        ByteString workerId = ByteString.copyFrom(id);
        String idHex = HexFormat.of().formatHex(id);
        String jobHex = HexFormat.of().formatHex(jobId.toByteArray());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(node.defaultJvmOptions());
        command.addAll(startupArchive(node).jvmFlags());
        command.addAll(jobJvmOptions);
        command.addAll(env.jvmOptions());
        if (!env.isEmpty()) {
            // Tasks this worker submits run in the same env (Ray: nested tasks inherit their parent's).
            command.add("-Dray.worker.runtime-env=" + env.toJson());
        }
        command.add("-Dray.worker.id=" + idHex);
        command.add("-Dray.worker.job-id=" + jobHex);
        command.add("-Dray.worker.node-id=" + node.nodeIdHex());
        command.add("-Dray.worker.node-ip=" + node.nodeIp());
        command.add("-Dray.worker.raylet-address=" + node.rayletAddress());
        command.add("-Dray.worker.raylet-pid=" + ProcessHandle.current().pid());
        command.add("-Dray.worker.gcs-address=" + node.gcsAddress());
        command.add("-Dray.worker.session-dir=" + node.sessionDir());
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
        command.add("dev.stingray.worker.WorkerMain");
        Path startupLog = node.sessionDir().resolve("logs").resolve("worker-" + idHex + "-startup.log");
        try {
            Files.createDirectories(startupLog.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(startupLog.toFile()));
            builder.environment().putAll(env.envVars());
            Process p = builder.start();
            WorkerProcess worker = new WorkerProcess(workerId, jobId, p, env.toJson());
            worker.setLeased(true);
            workers.put(workerId, worker);
            p.onExit().thenRun(() -> died(worker));
            scheduler.schedule(() -> {
                if (!worker.registered().isDone()) {
                    worker.registered().completeExceptionally(new IllegalStateException("Worker " + idHex + " did not register within "
                            + registerTimeout.toSeconds() + " s; see " + startupLog));
                    p.destroyForcibly();
                }
            }, registerTimeout.toMillis(), TimeUnit.MILLISECONDS);
            log.info("Started worker {} (pid {}) for job {}", idHex, p.pid(), jobHex);
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
        WorkerStartupArchive archive = startupArchive(node);
        Path lock = archive.file().resolveSibling(archive.file().getFileName() + ".lock");
        if (archive.exists() || !Files.isWritable(node.workerLibDir())) {
            return;
        }
        if (!takeLock(lock)) {
            return;
        }
        byte[] id = new byte[28];
        RANDOM.nextBytes(id);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(node.defaultJvmOptions());
        command.add(archive.recordFlag());
        command.add("-D" + WorkerStartupArchive.RECORD_PROPERTY + "=true");
        command.add("-Dray.worker.id=" + HexFormat.of().formatHex(id));
        command.add("-Dray.worker.job-id=ffffffff");
        command.add("-Dray.worker.node-id=" + node.nodeIdHex());
        command.add("-Dray.worker.node-ip=" + node.nodeIp());
        command.add("-Dray.worker.raylet-address=" + node.rayletAddress());
        command.add("-Dray.worker.gcs-address=" + node.gcsAddress());
        command.add("-cp");
        command.add(node.workerLibDir().resolve("*").toString());
        command.add("dev.stingray.worker.WorkerMain");
        Path log = node.sessionDir().resolve("logs").resolve("worker-startup-archive.log");
        Thread recorder = new Thread(() -> {
            try {
                // A recording cut short by an earlier kill must not be installed.
                Files.deleteIfExists(archive.recordingFile());
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!p.waitFor(3, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                }
                if (archive.install()) {
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

    /** A worker announced its core worker port (Ray: RegisterClientRequest). */
    public void register(ByteString workerId, int port) {
        WorkerProcess w = workers.get(workerId);
        if (w == null) {
            throw new IllegalArgumentException("Unknown worker id " + HexFormat.of().formatHex(workerId.toByteArray())
                    + ": workers are started by this raylet");
        }
        w.registered().complete(Address.newBuilder().setIpAddress(nodeContext.get().nodeIp()).setPort(port).setWorkerId(workerId).build());
        // Ray's worker_register_time_ms: from process start to registration.
        w.process().info().startInstant().ifPresent(started -> log.info("Worker {} (pid {}) registered {} ms after its JVM started",
                HexFormat.of().formatHex(workerId.toByteArray()), w.process().pid(),
                java.time.Duration.between(started, java.time.Instant.now()).toMillis()));
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
        onWorkerDeath.accept(worker);
    }

    private void killIdleWorkers() {
        long now = System.currentTimeMillis();
        for (WorkerProcess w : workers.values()) {
            if (!w.isLeased() && now - w.idleSince() > idleTimeout.toMillis()) {
                log.info("Killing idle worker {}", w.workerIdHex());
                w.process().destroy();
            }
        }
    }

    public int size() {
        return workers.size();
    }

    public void stop() {
        workers.values().forEach(w -> w.process().destroyForcibly());
    }

}

package dev.stingray.raylet.worker;

import com.google.protobuf.ByteString;
import dev.stingray.proto.Address;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * One worker JVM of this node: its id, job, process, and — once it registered — the address of its
 * core worker. A warm worker is started for no job ({@link #jobId()} empty), announces when it is ready for one,
 * and gets its job when the pool hands it off. State changes are guarded by the {@link WorkerPool}.
 */
public final class WorkerProcess {

    private final ByteString workerId;
    private volatile ByteString jobId;
    private final Process process;
    private volatile String runtimeEnv;
    private final boolean warm;
    private final CompletableFuture<Address> registered = new CompletableFuture<>();
    private final CompletableFuture<Void> warmedUp = new CompletableFuture<>();
    private volatile long handedOffNanos;
    private final long startedNanos = System.nanoTime();
    private volatile boolean leased;
    private volatile long idleSince = System.currentTimeMillis();
    private volatile boolean hostsDetachedActor;
    private volatile boolean dedicated;

    WorkerProcess(ByteString workerId, ByteString jobId, Process process, String runtimeEnv) {
        this(workerId, jobId, process, runtimeEnv, false);
    }

    private WorkerProcess(ByteString workerId, ByteString jobId, Process process, String runtimeEnv, boolean warm) {
        this.runtimeEnv = runtimeEnv;
        this.workerId = workerId;
        this.jobId = jobId;
        this.process = process;
        this.warm = warm;
    }

    /** A warm worker: started for no job yet. */
    static WorkerProcess warm(ByteString workerId, Process process) {
        return new WorkerProcess(workerId, ByteString.EMPTY, process, "", true);
    }

    /** Started warm and not handed to a job yet. */
    public boolean awaitsJob() {
        return warm && jobId.isEmpty();
    }

    /** Started warm (for no job), whether or not it has been handed to one since. */
    public boolean startedWarm() {
        return warm;
    }

    /** Completed when a warm worker has initialized once and waits for its job. */
    CompletableFuture<Void> warmedUp() {
        return warmedUp;
    }

    /** Still starting: a warm worker until it is warm, a worker with a job until it registered. */
    boolean starting() {
        return awaitsJob() ? !warmedUp.isDone() : !registered.isDone();
    }

    /** The hand-off of a warm worker to a job (the pool has written the worker's assignment). */
    void handedOff(ByteString jobId, String runtimeEnv) {
        this.handedOffNanos = System.nanoTime();
        this.runtimeEnv = runtimeEnv;
        this.jobId = jobId;
    }

    /** When the pool started it ({@link System#nanoTime()}). */
    long startedNanos() {
        return startedNanos;
    }

    /** When it was handed to its job ({@link System#nanoTime()}); 0 unless it started warm. */
    long handedOffNanos() {
        return handedOffNanos;
    }

    public ByteString workerId() {
        return workerId;
    }

    public String workerIdHex() {
        return HexFormat.of().formatHex(workerId.toByteArray());
    }

    public ByteString jobId() {
        return jobId;
    }

    /** The canonical runtime env JSON it was started with ("" = none); it is reused only for the same. */
    public String runtimeEnv() {
        return runtimeEnv;
    }

    public Process process() {
        return process;
    }

    /** Completed with the core worker's address when the worker registers. */
    public CompletableFuture<Address> registered() {
        return registered;
    }

    boolean isLeased() {
        return leased;
    }

    void setLeased(boolean leased) {
        this.leased = leased;
        if (!leased) {
            idleSince = System.currentTimeMillis();
        }
    }

    /** Whether it runs a detached actor, which outlives its job (Ray: such workers survive the job's end). */
    public boolean hostsDetachedActor() {
        return hostsDetachedActor;
    }

    public void setHostsDetachedActor(boolean hostsDetachedActor) {
        this.hostsDetachedActor = hostsDetachedActor;
    }

    /** Started with an actor's own JVM options: it serves that actor only and is never handed to other work. */
    public boolean dedicated() {
        return dedicated;
    }

    public void setDedicated(boolean dedicated) {
        this.dedicated = dedicated;
    }

    long idleSince() {
        return idleSince;
    }
}

package dev.stingray.raylet.worker;

import com.google.protobuf.ByteString;
import dev.stingray.proto.Address;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * One worker JVM of this node: its id, job, process, and — once it registered — the address of its
 * core worker. State changes are guarded by the {@link WorkerPool}.
 */
public final class WorkerProcess {

    private final ByteString workerId;
    private final ByteString jobId;
    private final Process process;
    private final String runtimeEnv;
    private final CompletableFuture<Address> registered = new CompletableFuture<>();
    private volatile boolean leased;
    private volatile long idleSince = System.currentTimeMillis();
    private volatile boolean hostsDetachedActor;
    private volatile boolean dedicated;

    WorkerProcess(ByteString workerId, ByteString jobId, Process process, String runtimeEnv) {
        this.runtimeEnv = runtimeEnv;
        this.workerId = workerId;
        this.jobId = jobId;
        this.process = process;
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

package dev.stingray.worker;

import dev.stingray.common.worker.WorkerAssignment;
import dev.stingray.runtime.StingrayRuntime;
import dev.stingray.runtime.task.JobClassLoader;
import io.ray.api.Ray;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The worker process a raylet starts (Ray: {@code io.ray.runtime.runner.worker.DefaultWorker}). It
 * sends its output to {@code <session>/logs/worker-<workerId>-<jobId>-<pid>.out|err} with a
 * {@code :job_id:} marker first (the log monitor's input), initializes the runtime in worker mode from the
 * {@code ray.worker.*} properties the raylet set, registers with the raylet and serves tasks until the
 * raylet tells it to exit or the raylet dies (workers fate-share with their raylet).
 *
 * <p>A <em>warm</em> worker ({@code ray.worker.warm=true}) is started before any job needs it, with only its
 * node's identity: it initializes once as a worker of no job and shuts that down again (loading, linking and
 * initializing the runtime's classes), tells the raylet it is warm, and waits for a {@link WorkerAssignment} on
 * standard input. Then it loads the job's code with a {@link JobClassLoader} and starts as a worker started for
 * the job would. The end of standard input without an assignment (the raylet stopped or died) ends it.
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (Boolean.getBoolean("ray.worker.record-startup-archive")) {
            // The raylet records the worker's start-up archive with this run (WorkerStartupArchive): initialize as
            // every worker does, make one call to the raylet as every worker's registration does (the first call
            // of a process loads 750 classes of gRPC's client and HTTP/2), then exit, so the JVM writes the archive.
            Ray.init();
            Ray.shutdown();
            dev.stingray.common.rpc.GrpcChannels.checkHealth(System.getProperty("ray.worker.raylet-address"), java.time.Duration.ofSeconds(10));
            System.exit(0);
        }
        if (Boolean.getBoolean(WorkerAssignment.WARM_PROPERTY)) {
            Thread.currentThread().setContextClassLoader(awaitJob());
        }
        redirectOutput();
        Ray.init();
        // Only now may the raylet push tasks: they use the Ray API, which Ray.init() has just set up.
        ((StingrayRuntime) Ray.internal()).registerWithRaylet();
        long rayletPid = Long.parseLong(System.getProperty("ray.worker.raylet-pid", "0"));
        Optional<ProcessHandle> raylet = rayletPid > 0 ? ProcessHandle.of(rayletPid) : Optional.empty();
        while (true) {
            Thread.sleep(1000);
            if (raylet.isPresent() && !raylet.get().isAlive()) {
                System.err.println("The raylet (pid " + rayletPid + ") is gone; the worker exits.");
                System.exit(1);
            }
        }
    }

    /** The warm worker's wait: initialize once for no job, announce, read the job's assignment; its class loader. */
    private static ClassLoader awaitJob() throws IOException {
        long t0 = System.nanoTime();
        System.setProperty("ray.worker.job-id", WorkerAssignment.NO_JOB);
        Ray.init();
        Ray.shutdown();
        System.clearProperty("ray.worker.job-id");
        StingrayRuntime.announceWarmWorker(System.getProperty("ray.worker.raylet-address"), System.getProperty("ray.worker.id"));
        System.out.printf("Warm after %d ms; waiting for a job%n", (System.nanoTime() - t0) / 1_000_000);
        Optional<WorkerAssignment> assignment = WorkerAssignment.readFrom(System.in);
        if (assignment.isEmpty()) {
            System.out.println("The raylet closed the hand-off without a job; the warm worker exits.");
            System.exit(0);
        }
        assignment.get().systemProperties().forEach(System::setProperty);
        System.out.println("Handed to job " + assignment.get().jobIdHex());
        return JobClassLoader.of(assignment.get().classPath(), WorkerMain.class.getClassLoader());
    }

    private static void redirectOutput() throws IOException {
        String session = System.getProperty("ray.worker.session-dir");
        if (session == null || session.isBlank()) {
            return;
        }
        Path logs = Path.of(session, "logs");
        Files.createDirectories(logs);
        String name = "worker-" + System.getProperty("ray.worker.id") + "-" + System.getProperty("ray.worker.job-id") + "-"
                + ProcessHandle.current().pid();
        PrintStream out = new PrintStream(new FileOutputStream(logs.resolve(name + ".out").toFile(), true), true);
        PrintStream err = new PrintStream(new FileOutputStream(logs.resolve(name + ".err").toFile(), true), true);
        out.println(":job_id:" + System.getProperty("ray.worker.job-id"));
        err.println(":job_id:" + System.getProperty("ray.worker.job-id"));
        System.setOut(out);
        System.setErr(err);
    }
}

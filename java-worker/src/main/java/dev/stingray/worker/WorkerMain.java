package dev.stingray.worker;

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
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (Boolean.getBoolean("ray.worker.record-startup-archive")) {
            // The raylet records the worker's start-up archive with this run (WorkerStartupArchive): initialize as
            // every worker does, then exit, so the JVM writes the archive.
            Ray.init();
            Ray.shutdown();
            System.exit(0);
        }
        redirectOutput();
        Ray.init();
        // Only now may the raylet push tasks: they use the Ray API, which Ray.init() has just set up.
        ((dev.stingray.runtime.StingrayRuntime) Ray.internal()).registerWithRaylet();
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

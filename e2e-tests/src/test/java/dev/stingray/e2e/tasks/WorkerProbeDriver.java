package dev.stingray.e2e.tasks;

import io.ray.api.Ray;

/** A driver that reports which worker JVM ran its task and a system property of that JVM, then exits. */
public final class WorkerProbeDriver {

    private WorkerProbeDriver() {
    }

    public static void main(String[] args) {
        Ray.init();
        System.out.println("job " + Ray.getRuntimeContext().getCurrentJobId());
        System.out.println("worker pid " + Ray.task(Tasks::pid).remote().get());
        System.out.println("marker '" + Ray.task(Tasks::systemProperty, "stingray.e2e.marker").remote().get() + "'");
        Ray.shutdown();
    }
}

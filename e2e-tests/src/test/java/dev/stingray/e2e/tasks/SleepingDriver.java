package dev.stingray.e2e.tasks;

import io.ray.api.Ray;

/** A driver that runs one task, then either exits normally ({@code exit}) or waits to be killed. */
public final class SleepingDriver {

    private SleepingDriver() {
    }

    public static void main(String[] args) throws Exception {
        Ray.init();
        System.out.println("task says " + Ray.task(Tasks::echo, "ready").remote().get());
        if (args.length > 0 && args[0].equals("exit")) {
            Ray.shutdown();
            return;
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}

package dev.stingray.e2e.runtimeenv;

import io.ray.api.Ray;

/**
 * A second driver whose job has a runtime env ({@code -Dray.job.runtime-env}): its task calls a class
 * that only the job's {@code java_jars} provide, prints the answer and the driver exits.
 */
public final class RuntimeEnvDriver {

    private RuntimeEnvDriver() {
    }

    public static void main(String[] args) {
        Ray.init();
        try {
            System.out.println("answer=" + Ray.task(RuntimeEnvTasks::callHidden, args[0], args[1]).remote().get());
        } finally {
            Ray.shutdown();
        }
    }
}

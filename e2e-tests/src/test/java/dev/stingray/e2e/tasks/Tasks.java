package dev.stingray.e2e.tasks;

import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import java.util.ArrayList;
import java.util.List;

/** Static methods run as Ray tasks by the E2E tests; written only against io.ray.api. */
public final class Tasks {

    private Tasks() {
    }

    public static int add(int a, int b) {
        return a + b;
    }

    public static String echo(String s) {
        return s;
    }

    public static int length(byte[] data) {
        return data.length;
    }

    public static long pid() {
        return ProcessHandle.current().pid();
    }

    public static int sumOfRefs(List<ObjectRef<Integer>> refs) {
        int sum = 0;
        for (ObjectRef<Integer> r : refs) {
            sum += r.get();
        }
        return sum;
    }

    /** A task that submits tasks and waits for them (nested tasks). */
    public static int nested(int n) {
        List<ObjectRef<Integer>> refs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            refs.add(Ray.task(Tasks::add, i, 1).remote());
        }
        int sum = 0;
        for (int v : Ray.get(refs)) {
            sum += v;
        }
        return sum;
    }

    /**
     * A chain of {@code depth} tasks, each waiting in Ray.get for the next: deeper than the node has CPUs,
     * it finishes only if waiting tasks lend their CPUs back.
     */
    public static int chain(int depth) {
        return depth == 0 ? 0 : 1 + Ray.task(Tasks::chain, depth - 1).remote().get();
    }

    public static int fail(String message) {
        throw new IllegalStateException(message);
    }

    public static int sleepMillis(int ms) throws InterruptedException {
        Thread.sleep(ms);
        return ms;
    }

    public static String printLine(String line) {
        System.out.println(line);
        return line;
    }

    /** A system property of the worker JVM this task runs in ("" when unset). */
    public static String systemProperty(String name) {
        return System.getProperty(name, "");
    }

    /** The id of the node this task runs on. */
    public static String nodeId() {
        return Ray.getRuntimeContext().getCurrentNodeId().toString();
    }

    /** Holds a CPU for a while, then reports its node. */
    public static String nodeIdAfter(int ms) throws InterruptedException {
        Thread.sleep(ms);
        return nodeId();
    }

    /**
     * First attempt: records its pid in {@code marker} and sleeps long enough to be killed; a retry
     * (the marker exists) returns at once with its own pid.
     */
    public static long slowFirstAttempt(String marker) throws Exception {
        java.nio.file.Path file = java.nio.file.Path.of(marker);
        if (!java.nio.file.Files.exists(file)) {
            java.nio.file.Files.writeString(file, Long.toString(ProcessHandle.current().pid()));
            Thread.sleep(60_000);
        }
        return ProcessHandle.current().pid();
    }

    /** Kills its own worker JVM on every attempt. */
    public static int crash() {
        Runtime.getRuntime().halt(1);
        return 0;
    }
}

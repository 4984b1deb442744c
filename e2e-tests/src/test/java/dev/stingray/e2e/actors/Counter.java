package dev.stingray.e2e.actors;

import io.ray.api.ActorHandle;
import io.ray.api.Ray;

/** A plain actor: a counter whose state lives in its worker JVM. */
public class Counter {

    private int value;

    public Counter() {
    }

    public Counter(int start) {
        this.value = start;
    }

    public int increment() {
        return ++value;
    }

    public int add(int n) {
        value += n;
        return value;
    }

    public int get() {
        return value;
    }

    public long pid() {
        return ProcessHandle.current().pid();
    }

    public String nodeId() {
        return Ray.getRuntimeContext().getCurrentNodeId().toString();
    }

    public boolean wasRestarted() {
        return Ray.getRuntimeContext().wasCurrentActorRestarted();
    }

    public String actorId() {
        return Ray.getRuntimeContext().getCurrentActorId().toString();
    }

    public String property(String name) {
        return System.getProperty(name);
    }

    /** What this actor holds, as {@code Ray.getAvailableResourceIds()} reports it: name → number of ids. */
    public java.util.Map<String, Integer> resourceIds() {
        java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        Ray.internal().getAvailableResourceIds().forEach((name, ids) -> counts.put(name, ids.size()));
        return counts;
    }

    public int exit() {
        Ray.exitActor();
        return value;
    }

    /** Increments another counter through a handle passed in as an argument. */
    public static int incrementThrough(ActorHandle<Counter> other) {
        return other.task(Counter::increment).remote().get();
    }
}

package demo;

import io.ray.api.ActorHandle;
import io.ray.api.ObjectRef;
import io.ray.api.PlacementGroups;
import io.ray.api.Ray;
import io.ray.api.options.PlacementGroupCreationOptions;
import io.ray.api.placementgroup.PlacementGroup;
import io.ray.api.placementgroup.PlacementStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A user's Ray program, compiled by OwnProjectE2ETest in a throwaway project. Mode "full": tasks, objects, an actor
 * and a placement group; mode "nodes": tasks pinned to the head ({"head":1}) and to the worker node ({"worker":1}),
 * printing where they ran; mode "spread N": N two-CPU tasks at once, each printing "node <id>" of where it ran, then four one-CPU
 * actors printing "actor node <id>".
 */
public class OwnProgram {

    public static int square(int x) {
        return x * x;
    }

    public static int length(byte[] data) {
        return data.length;
    }

    public static String nodeAfterASecond() throws InterruptedException {
        Thread.sleep(1000);
        return nodeOfThisTask();
    }

    public static String nodeOfThisTask() {
        return Ray.getRuntimeContext().getCurrentNodeId().toString();
    }

    public static class Counter {
        private int total;

        public String nodeOfThisActor() {
            return Ray.getRuntimeContext().getCurrentNodeId().toString();
        }

        public int add(int delta) {
            total += delta;
            return total;
        }
    }

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "full";
        long start = System.nanoTime();
        Ray.init();
        long initialized = System.nanoTime();
        int first = Ray.task(OwnProgram::square, 7).remote().get();
        long firstResult = System.nanoTime();
        System.out.println("first task: " + first);

        List<ObjectRef<Integer>> squares = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            squares.add(Ray.task(OwnProgram::square, i).remote());
        }
        System.out.println("sum of squares 0..9 = " + Ray.get(squares).stream().mapToInt(Integer::intValue).sum());
        ObjectRef<byte[]> big = Ray.put(new byte[3 * 1024 * 1024]);
        System.out.println("object of " + Ray.task(OwnProgram::length, big).remote().get() + " bytes");

        if (mode.equals("full")) {
            ActorHandle<Counter> counter = Ray.actor(Counter::new).remote();
            counter.task(Counter::add, 2).remote();
            System.out.println("counter = " + counter.task(Counter::add, 3).remote().get());
            PlacementGroup group = PlacementGroups.createPlacementGroup(new PlacementGroupCreationOptions.Builder()
                    .setBundles(List.of(Map.of("CPU", 1.0))).setStrategy(PlacementStrategy.PACK).build());
            System.out.println("placement group ready: " + group.wait(60));
            System.out.println("task in bundle: " + Ray.task(OwnProgram::square, 3).setPlacementGroup(group, 0).remote().get());
            PlacementGroups.removePlacementGroup(group.getId());
        }
        if (mode.equals("nodes")) {
            System.out.println("head task ran on " + Ray.task(OwnProgram::nodeOfThisTask).setResource("head", 1.0).remote().get());
            System.out.println("worker task ran on " + Ray.task(OwnProgram::nodeOfThisTask).setResource("worker", 1.0).remote().get());
            ActorHandle<Counter> onWorker = Ray.actor(Counter::new).setResource("worker", 1.0).remote();
            System.out.println("worker actor counted " + onWorker.task(Counter::add, 4).remote().get() + " on "
                    + onWorker.task(Counter::nodeOfThisActor).remote().get());
        }
        if (mode.equals("spread")) {
            List<ObjectRef<String>> nodes = new ArrayList<>();
            for (int i = 0; i < Integer.parseInt(args[1]); i++) {
                nodes.add(Ray.task(OwnProgram::nodeAfterASecond).setResource("CPU", 2.0).remote());
            }
            Ray.get(nodes).forEach(node -> System.out.println("node " + node));
            List<ActorHandle<Counter>> actors = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                actors.add(Ray.actor(Counter::new).setResource("CPU", 1.0).remote());
            }
            for (ActorHandle<Counter> actor : actors) {
                System.out.println("actor node " + actor.task(Counter::nodeOfThisActor).remote().get());
            }
        }
        long beforeShutdown = System.nanoTime();
        Ray.shutdown();
        long end = System.nanoTime();
        System.out.printf("FIGURE init_ms=%d first_task_ms=%d shutdown_ms=%d%n", (initialized - start) / 1_000_000,
                (firstResult - initialized) / 1_000_000, (end - beforeShutdown) / 1_000_000);
    }
}

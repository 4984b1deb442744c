package dev.stingray.examples;

import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import io.ray.api.WaitResult;
import java.util.ArrayList;
import java.util.List;

/**
 * A small task graph: squares computed in parallel, partial sums that take ObjectRefs as arguments,
 * a nested task that fans out by itself, and {@code Ray.wait} to take results as they finish. Uses only
 * {@code io.ray.api}.
 */
public final class TaskGraph {

    private TaskGraph() {
    }

    public static int square(int x) {
        return x * x;
    }

    public static int add(int a, int b) {
        return a + b;
    }

    /** A task that submits tasks itself and waits for them. */
    public static int sumOfSquares(int n) {
        List<ObjectRef<Integer>> squares = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            squares.add(Ray.task(TaskGraph::square, i).remote());
        }
        return Ray.get(squares).stream().mapToInt(Integer::intValue).sum();
    }

    public static void main(String[] args) {
        Ray.init();
        try {
            ObjectRef<Integer> acc = Ray.put(0);
            for (int i = 1; i <= 10; i++) {
                acc = Ray.task(TaskGraph::add, acc, Ray.task(TaskGraph::square, i).remote()).remote();
            }
            System.out.println("sum of squares 1..10 via a chain of ObjectRefs = " + acc.get());
            System.out.println("sum of squares 1..10 via a nested task = " + Ray.task(TaskGraph::sumOfSquares, 10).remote().get());

            List<ObjectRef<Integer>> pending = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                pending.add(Ray.task(TaskGraph::square, i).remote());
            }
            int finished = 0;
            while (!pending.isEmpty()) {
                WaitResult<Integer> ready = Ray.wait(pending, 1);
                finished += ready.getReady().size();
                pending = ready.getUnready();
            }
            System.out.println("Ray.wait collected " + finished + " results one by one");
        } finally {
            Ray.shutdown();
        }
    }
}

package dev.stingray.runtime.benchmark;

import io.ray.api.ActorHandle;
import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import java.util.ArrayList;
import java.util.List;

/**
 * The actors of {@code stingray microbenchmark} (Ray: {@code Actor} and {@code Client} of
 * {@code ray_perf.py}): a server whose {@link #smallValue()} is the tiny call, and — built with server
 * handles — a client actor whose {@link #smallValueBatch(int)} calls every server {@code n} times.
 */
public final class BenchmarkActor {

    private final List<ActorHandle<BenchmarkActor>> servers;

    /** A server actor. */
    public BenchmarkActor() {
        this.servers = List.of();
    }

    /** A client actor of these servers. */
    public BenchmarkActor(ArrayList<ActorHandle<BenchmarkActor>> servers) {
        this.servers = List.copyOf(servers);
    }

    /** Ray: {@code small_value}; returns {@code b"ok"}. */
    public byte[] smallValue() {
        return BenchmarkTasks.smallValue();
    }

    /** Ray: {@code Client.small_value_batch}: {@code n} async calls on each server, then gets them all; returns the count. */
    public int smallValueBatch(int n) {
        List<ObjectRef<byte[]>> refs = new ArrayList<>(n * servers.size());
        for (ActorHandle<BenchmarkActor> server : servers) {
            for (int i = 0; i < n; i++) {
                refs.add(server.task(BenchmarkActor::smallValue).remote());
            }
        }
        Ray.get(refs);
        return refs.size();
    }
}

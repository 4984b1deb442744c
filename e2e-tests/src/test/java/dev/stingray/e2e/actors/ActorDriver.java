package dev.stingray.e2e.actors;

import io.ray.api.ActorHandle;
import io.ray.api.Ray;
import io.ray.api.options.ActorLifetime;
import java.util.Optional;

/**
 * A second driver (its own JVM and job) for the actor tests:
 * <ul>
 *   <li>{@code create-detached NAME}: creates a detached counter and a non-detached one (named NAME-owned),
 *       increments each 5 times and exits;</li>
 *   <li>{@code increment NAME}: looks NAME up in its namespace and prints the counter's next value.</li>
 * </ul>
 */
public final class ActorDriver {

    private ActorDriver() {
    }

    public static void main(String[] args) {
        Ray.init();
        try {
            String name = args[1];
            switch (args[0]) {
                case "create-detached" -> {
                    ActorHandle<Counter> detached = Ray.actor(Counter::new).setName(name).setLifetime(ActorLifetime.DETACHED).remote();
                    ActorHandle<Counter> owned = Ray.actor(Counter::new).setName(name + "-owned").remote();
                    for (int i = 0; i < 5; i++) {
                        detached.task(Counter::increment).remote();
                        owned.task(Counter::increment).remote();
                    }
                    System.out.println("detached=" + detached.task(Counter::get).remote().get() + " owned="
                            + owned.task(Counter::get).remote().get());
                }
                case "increment" -> {
                    Optional<ActorHandle<Counter>> found = Ray.getActor(name);
                    System.out.println("value=" + found.orElseThrow(() -> new IllegalStateException("no actor named " + name))
                            .task(Counter::increment).remote().get());
                }
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        } finally {
            Ray.shutdown();
        }
    }
}

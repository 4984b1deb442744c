package dev.stingray.gcs.placement;

import com.google.protobuf.ByteString;
import dev.stingray.common.resources.NodeResources;
import dev.stingray.proto.PlacementStrategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses nodes for bundles under a strategy (Ray: the bundle scheduling policies of
 * {@code gcs_placement_group_scheduler.cc}), against the nodes' available resources:
 * <ul>
 *   <li>STRICT_PACK: every bundle on one node that holds them all (the node already holding placed
 *       bundles, if any);</li>
 *   <li>PACK: one node if one fits all, else as few nodes as possible (fill a node before the next);</li>
 *   <li>STRICT_SPREAD: each bundle on a node holding no other bundle of the group;</li>
 *   <li>SPREAD: nodes without a bundle of the group first, then any node that fits.</li>
 * </ul>
 * Bundles already placed ({@code placed}, when bundles of a dead node are placed again) count for the
 * strategy. Pure: no I/O, no state.
 */
public final class BundlePlacement {

    private BundlePlacement() {
    }

    /**
     * @param bundles   index → unit resources of the bundles to place
     * @param placed    index → node of the group's bundles that keep their node
     * @param available node → available resources, in preference order
     * @return index → node for every bundle of {@code bundles}, or empty when the strategy cannot be met now
     */
    public static Optional<Map<Integer, ByteString>> place(PlacementStrategy strategy, Map<Integer, Map<String, Double>> bundles,
            Map<Integer, ByteString> placed, Map<ByteString, Map<String, Double>> available) {
        Map<ByteString, Map<String, Double>> free = new LinkedHashMap<>();
        available.forEach((node, resources) -> free.put(node, new HashMap<>(resources)));
        Set<ByteString> used = new HashSet<>(placed.values());
        Map<Integer, ByteString> result = new HashMap<>();
        switch (strategy) {
            case STRICT_PACK -> {
                Map<String, Double> sum = sum(bundles.values());
                List<ByteString> candidates = used.isEmpty() ? new ArrayList<>(free.keySet()) : new ArrayList<>(used);
                ByteString node = candidates.stream().filter(n -> free.containsKey(n) && NodeResources.fits(free.get(n), sum)).findFirst().orElse(null);
                if (node == null) {
                    return Optional.empty();
                }
                bundles.keySet().forEach(i -> result.put(i, node));
            }
            case PACK -> {
                Map<String, Double> sum = sum(bundles.values());
                Optional<ByteString> one = free.keySet().stream().filter(n -> NodeResources.fits(free.get(n), sum)).findFirst();
                if (one.isPresent()) {
                    bundles.keySet().forEach(i -> result.put(i, one.get()));
                } else {
                    for (var b : bundles.entrySet()) {
                        // The node already used for most bundles first: fill it before opening another.
                        ByteString node = free.keySet().stream().filter(n -> NodeResources.fits(free.get(n), b.getValue()))
                                .max((x, y) -> Long.compare(count(result, placed, x), count(result, placed, y))).orElse(null);
                        if (node == null) {
                            return Optional.empty();
                        }
                        take(free.get(node), b.getValue());
                        result.put(b.getKey(), node);
                    }
                }
            }
            case STRICT_SPREAD, SPREAD, UNRECOGNIZED -> {
                for (var b : bundles.entrySet()) {
                    ByteString node = free.keySet().stream().filter(n -> !used.contains(n) && NodeResources.fits(free.get(n), b.getValue()))
                            .findFirst().orElse(null);
                    if (node == null && strategy != PlacementStrategy.STRICT_SPREAD) {
                        node = free.keySet().stream().filter(n -> NodeResources.fits(free.get(n), b.getValue()))
                                .min((x, y) -> Long.compare(count(result, placed, x), count(result, placed, y))).orElse(null);
                    }
                    if (node == null) {
                        return Optional.empty();
                    }
                    take(free.get(node), b.getValue());
                    used.add(node);
                    result.put(b.getKey(), node);
                }
            }
        }
        return Optional.of(result);
    }

    private static long count(Map<Integer, ByteString> result, Map<Integer, ByteString> placed, ByteString node) {
        return result.values().stream().filter(node::equals).count() + placed.values().stream().filter(node::equals).count();
    }

    private static Map<String, Double> sum(Iterable<Map<String, Double>> bundles) {
        Map<String, Double> sum = new HashMap<>();
        bundles.forEach(b -> b.forEach((k, v) -> sum.merge(k, v, Double::sum)));
        return sum;
    }

    private static void take(Map<String, Double> from, Map<String, Double> demand) {
        demand.forEach((k, v) -> from.merge(k, -v, Double::sum));
    }
}

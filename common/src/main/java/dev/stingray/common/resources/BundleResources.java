package dev.stingray.common.resources;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Ray's names for the resources of placement-group bundles ({@code FormatPlacementGroupResource}): a
 * committed bundle {@code i} of group {@code g} turns its {@code CPU: 1} into {@code CPU_group_i_g: 1} and
 * {@code CPU_group_g: 1}, plus {@code bundle_group_i_g} and {@code bundle_group_g} (1000 each), so a task
 * asking for bundle {@code i} — or any bundle, index -1 — lands on the node holding it.
 */
public final class BundleResources {

    /** Ray's {@code kBundle_ResourceLabel}. */
    public static final String BUNDLE = "bundle";
    /** What each committed bundle adds to its {@code bundle_group_*} resources (Ray: 1000). */
    public static final double BUNDLE_MARKER = 1000;
    /** What a task or actor in a bundle asks of {@code bundle_group_*}, so it needs the bundle even with no resources. */
    public static final double BUNDLE_MARKER_DEMAND = 0.001;

    private BundleResources() {
    }

    /** {@code name_group_index_pgid}, or {@code name_group_pgid} for index -1 (any bundle). */
    public static String format(String name, ByteString placementGroupId, int bundleIndex) {
        String hex = HexFormat.of().formatHex(placementGroupId.toByteArray());
        return bundleIndex < 0 ? name + "_group_" + hex : name + "_group_" + bundleIndex + "_" + hex;
    }

    /**
     * The resource a bundle resource was made from ({@code CPU} for {@code CPU_group_0_<pgid>}); other names
     * unchanged. Only the exact shape {@link #format} produces counts, so a user's {@code my_group_x} stays.
     */
    public static String originalName(String name) {
        java.util.regex.Matcher m = FORMATTED.matcher(name);
        return m.matches() ? m.group(1) : name;
    }

    private static final java.util.regex.Pattern FORMATTED = java.util.regex.Pattern.compile("(.+)_group_(\\d+_)?\\p{XDigit}{36}");

    /** The resources a committed bundle adds to its node: each unit resource and the bundle marker, indexed and wildcard. */
    public static Map<String, Double> committed(ByteString placementGroupId, int bundleIndex, Map<String, Double> unitResources) {
        Map<String, Double> added = new HashMap<>();
        unitResources.forEach((name, amount) -> {
            added.merge(format(name, placementGroupId, bundleIndex), amount, Double::sum);
            added.merge(format(name, placementGroupId, -1), amount, Double::sum);
        });
        added.merge(format(BUNDLE, placementGroupId, bundleIndex), BUNDLE_MARKER, Double::sum);
        added.merge(format(BUNDLE, placementGroupId, -1), BUNDLE_MARKER, Double::sum);
        return added;
    }

    /** What a task or actor placed in bundle {@code bundleIndex} (-1 = any) asks for instead of {@code demand}. */
    public static Map<String, Double> demandInBundle(ByteString placementGroupId, int bundleIndex, Map<String, Double> demand) {
        Map<String, Double> renamed = new HashMap<>();
        demand.forEach((name, amount) -> renamed.put(format(name, placementGroupId, bundleIndex), amount));
        renamed.put(format(BUNDLE, placementGroupId, bundleIndex), BUNDLE_MARKER_DEMAND);
        return renamed;
    }
}

package dev.stingray.common.resources;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses the resource and label flags of {@code stingray start} exactly as Ray accepts them:
 * {@code --resources} is a JSON object of non-negative numbers without {@code CPU}/{@code GPU}
 * (those have their own flags), {@code --labels} is {@code k=v,k2=v2}. Errors name the bad value.
 */
public final class NodeResources {

    public static final String CPU = "CPU";
    public static final String GPU = "GPU";
    public static final String MEMORY = "memory";
    public static final String OBJECT_STORE_MEMORY = "object_store_memory";
    /** Ray's fixed-point scaling of resource quantities ({@code kResourceUnitScaling}). */
    public static final long RESOURCE_UNIT_SCALING = 10_000;

    private NodeResources() {
    }

    /** Whether {@code have} holds at least {@code demand} of every resource (missing counts as 0). */
    public static boolean fits(Map<String, Double> have, Map<String, Double> demand) {
        for (Map.Entry<String, Double> d : demand.entrySet()) {
            if (have.getOrDefault(d.getKey(), 0.0) + 1e-9 < d.getValue()) {
                return false;
            }
        }
        return true;
    }

    public static Map<String, Double> parseCustomResources(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        JsonNode root;
        try {
            root = JsonMapper.builder().build().readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("Invalid --resources '" + json + "': not valid JSON ("
                    + e.getOriginalMessage() + "). Expected an object such as '{\"accelerator\": 2}'");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("Invalid --resources '" + json + "': expected a JSON object such as '{\"accelerator\": 2}'");
        }
        Map<String, Double> resources = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            if (name.equals(CPU) || name.equals(GPU)) {
                throw new IllegalArgumentException("Invalid --resources '" + json + "': use the '--num-cpus' and '--num-gpus' flags"
                        + " instead of 'CPU' and 'GPU' in '--resources'");
            }
            if (name.isBlank()) {
                throw new IllegalArgumentException("Invalid --resources '" + json + "': a resource name is empty");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || v.asDouble() < 0) {
                throw new IllegalArgumentException("Invalid --resources '" + json + "': the quantity of '" + name + "' is "
                        + v + "; quantities must be non-negative numbers");
            }
            resources.put(name, roundToUnit(v.asDouble()));
        }
        return resources;
    }

    public static Map<String, String> parseLabels(String labels) {
        Map<String, String> result = new LinkedHashMap<>();
        if (labels == null || labels.isBlank()) {
            return result;
        }
        for (String pair : labels.split(",")) {
            String p = pair.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Invalid --labels '" + labels + "': '" + p + "' is not key=value; expected k1=v1,k2=v2");
            }
            result.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        return result;
    }

    /** Rounds a quantity to Ray's resource unit (1/10000). */
    public static double roundToUnit(double quantity) {
        return Math.round(quantity * RESOURCE_UNIT_SCALING) / (double) RESOURCE_UNIT_SCALING;
    }
}

package dev.stingray.common.runtimeenv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A runtime environment as Stingray supports it (Ray: {@code runtime_env}): {@code env_vars} (a map of
 * strings), {@code java_jars} (local jar files or directories, or {@code gcs://} package URIs once
 * uploaded) and {@code jvm_options} (a list of JVM flags). Its canonical JSON (sorted keys, empty fields
 * left out) is what task specs carry and what raylets compare to reuse a worker.
 *
 * @param envVars    environment variables of the worker process
 * @param jars       class-path entries of the worker
 * @param jvmOptions extra JVM flags of the worker
 */
public record RuntimeEnvSpec(Map<String, String> envVars, List<String> jars, List<String> jvmOptions) {

    public static final String ENV_VARS = "env_vars";
    public static final String JARS = "java_jars";
    public static final String JVM_OPTIONS = "jvm_options";
    /** Where uploaded packages live in the GCS's internal KV (the default namespace) and how they are named. */
    public static final String PACKAGE_URI_PREFIX = "gcs://_stingray_pkg_";
    public static final RuntimeEnvSpec EMPTY = new RuntimeEnvSpec(Map.of(), List.of(), List.of());

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public RuntimeEnvSpec {
        envVars = Map.copyOf(envVars);
        jars = List.copyOf(jars);
        jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * Parses a runtime env's JSON; empty text or {@code {}} is {@link #EMPTY}.
     *
     * @throws IllegalArgumentException naming the field for an unsupported field or a wrongly typed value
     */
    public static RuntimeEnvSpec parse(String json) {
        if (json == null || json.isBlank()) {
            return EMPTY;
        }
        Object tree;
        try {
            tree = JSON.readValue(json, Object.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("The runtime env is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(tree instanceof Map<?, ?> fields)) {
            throw new IllegalArgumentException("A runtime env is a JSON object, got: " + json);
        }
        Map<String, String> envVars = new TreeMap<>();
        List<String> jars = new ArrayList<>();
        List<String> jvmOptions = new ArrayList<>();
        for (Map.Entry<?, ?> field : fields.entrySet()) {
            String name = String.valueOf(field.getKey());
            Object value = field.getValue();
            switch (name) {
                case ENV_VARS -> {
                    if (!(value instanceof Map<?, ?> vars)) {
                        throw new IllegalArgumentException("runtime_env field env_vars must be an object of strings, got " + value);
                    }
                    vars.forEach((k, v) -> {
                        if (!(v instanceof String s)) {
                            throw new IllegalArgumentException("runtime_env env_vars." + k + " must be a string, got " + v);
                        }
                        envVars.put(String.valueOf(k), s);
                    });
                }
                case JARS -> jars.addAll(strings(name, value));
                case JVM_OPTIONS -> jvmOptions.addAll(strings(name, value));
                default -> throw new IllegalArgumentException("Unsupported runtime_env field '" + name + "'; Stingray supports "
                        + ENV_VARS + ", " + JARS + " and " + JVM_OPTIONS);
            }
        }
        return new RuntimeEnvSpec(envVars, jars, jvmOptions);
    }

    private static List<String> strings(String name, Object value) {
        if (!(value instanceof List<?> list) || list.stream().anyMatch(v -> !(v instanceof String))) {
            throw new IllegalArgumentException("runtime_env field " + name + " must be a list of strings, got " + value);
        }
        return list.stream().map(String.class::cast).toList();
    }

    /** The canonical JSON: sorted keys, empty fields left out; {@code ""} for the empty env. */
    public String toJson() {
        if (isEmpty()) {
            return "";
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        if (!envVars.isEmpty()) {
            fields.put(ENV_VARS, new TreeMap<>(envVars));
        }
        if (!jars.isEmpty()) {
            fields.put(JARS, jars);
        }
        if (!jvmOptions.isEmpty()) {
            fields.put(JVM_OPTIONS, jvmOptions);
        }
        return JSON.writeValueAsString(fields);
    }

    public boolean isEmpty() {
        return envVars.isEmpty() && jars.isEmpty() && jvmOptions.isEmpty();
    }

    /** The uploaded packages it needs ({@code gcs://} entries of {@code java_jars}). */
    public List<String> packageUris() {
        return jars.stream().filter(j -> j.startsWith("gcs://")).toList();
    }

    public RuntimeEnvSpec withJars(List<String> newJars) {
        return new RuntimeEnvSpec(envVars, newJars, jvmOptions);
    }

    /**
     * This env over {@code base}, as Ray inherits a parent's env: {@code env_vars} are merged key by key (this
     * env's value wins); every other field this env sets replaces the base's.
     */
    public RuntimeEnvSpec over(RuntimeEnvSpec base) {
        Map<String, String> vars = new TreeMap<>(base.envVars);
        vars.putAll(envVars);
        return new RuntimeEnvSpec(vars, jars.isEmpty() ? base.jars : jars, jvmOptions.isEmpty() ? base.jvmOptions : jvmOptions);
    }

    /** The package URIs named in a serialized env; none for text that does not parse (the GCS never fails on it). */
    public static List<String> packageUrisOf(String json) {
        try {
            return parse(json).packageUris();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }
}

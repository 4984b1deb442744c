package dev.stingray.runtime.runtimeenv;

import dev.stingray.common.runtimeenv.RuntimeEnvSpec;
import io.ray.api.exception.RuntimeEnvException;
import io.ray.api.runtimeenv.RuntimeEnv;
import io.ray.api.runtimeenv.RuntimeEnvConfig;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stingray's {@link RuntimeEnv} (Ray: {@code RuntimeEnvImpl}): named fields as JSON values, serialized as
 * a JSON object. Any field can be set; {@link RuntimeEnvSpec} decides at submission which ones Stingray
 * runs ({@code env_vars}, {@code java_jars}, {@code jvm_options}).
 */
public final class RuntimeEnvImpl implements RuntimeEnv, Serializable {

    private static final long serialVersionUID = 1L;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, Object> fields = new TreeMap<>();
    private RuntimeEnvConfig config;

    /** A runtime env read from its JSON ({@code RuntimeEnv.deserialize}). */
    public static RuntimeEnvImpl deserialize(String json) {
        RuntimeEnvImpl env = new RuntimeEnvImpl();
        if (json == null || json.isBlank()) {
            return env;
        }
        try {
            Object tree = JSON.readValue(json, Object.class);
            if (!(tree instanceof Map<?, ?> map)) {
                throw new RuntimeEnvException("A runtime env is a JSON object, got: " + json);
            }
            map.forEach((k, v) -> env.fields.put(String.valueOf(k), v));
        } catch (JacksonException e) {
            throw new RuntimeEnvException("The runtime env is not valid JSON: " + e.getOriginalMessage());
        }
        return env;
    }

    @Override
    public void set(String name, Object value) {
        try {
            fields.put(name, JSON.readValue(JSON.writeValueAsString(value), Object.class));
        } catch (JacksonException e) {
            throw new RuntimeEnvException("Cannot set runtime env field " + name + " to " + value + ": " + e.getOriginalMessage());
        }
    }

    @Override
    public void setJsonStr(String name, String json) {
        try {
            fields.put(name, JSON.readValue(json, Object.class));
        } catch (JacksonException e) {
            throw new RuntimeEnvException("Runtime env field " + name + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public <T> T get(String name, Class<T> type) {
        Object value = fields.get(name);
        if (value == null) {
            return null;
        }
        try {
            return JSON.convertValue(value, type);
        } catch (JacksonException e) {
            throw new RuntimeEnvException("Runtime env field " + name + " is not a " + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }

    @Override
    public String getJsonStr(String name) {
        return fields.containsKey(name) ? JSON.writeValueAsString(fields.get(name)) : null;
    }

    @Override
    public boolean contains(String name) {
        return fields.containsKey(name);
    }

    @Override
    public boolean remove(String name) {
        return fields.remove(name) != null;
    }

    @Override
    public String serialize() {
        return JSON.writeValueAsString(fields);
    }

    @Override
    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** What task and actor options carry: the same JSON as {@link #serialize()}. */
    @Override
    public String serializeToRuntimeEnvInfo() {
        return serialize();
    }

    @Override
    public void setConfig(RuntimeEnvConfig config) {
        this.config = config;
    }

    @Override
    public RuntimeEnvConfig getConfig() {
        return config;
    }

    @Override
    public String toString() {
        return serialize();
    }
}

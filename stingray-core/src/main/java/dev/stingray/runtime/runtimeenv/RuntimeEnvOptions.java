package dev.stingray.runtime.runtimeenv;

import io.ray.api.options.CallOptions;
import java.lang.reflect.Field;

/**
 * Reads the runtime env a task's {@link CallOptions} carry. {@code ray-api} 2.9.3 keeps it in a private
 * field without a getter (Ray's own runtime reads it from native code), so it is read reflectively here,
 * in one place.
 */
public final class RuntimeEnvOptions {

    private static final Field SERIALIZED_RUNTIME_ENV_INFO;

    static {
        try {
            SERIALIZED_RUNTIME_ENV_INFO = CallOptions.class.getDeclaredField("serializedRuntimeEnvInfo");
            SERIALIZED_RUNTIME_ENV_INFO.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError("This ray-api version has no CallOptions.serializedRuntimeEnvInfo: " + e);
        }
    }

    private RuntimeEnvOptions() {
    }

    /** The task's serialized runtime env; empty when it set none. */
    public static String of(CallOptions options) {
        if (options == null) {
            return "";
        }
        try {
            Object value = SERIALIZED_RUNTIME_ENV_INFO.get(options);
            return value == null ? "" : (String) value;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot read the runtime env of the task options", e);
        }
    }
}

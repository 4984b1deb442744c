package dev.stingray.e2e.tasks;

import io.ray.api.Ray;

/** Large-object tasks for the object store E2E test; content is a pattern so both sides can check it. */
public final class ObjectTasks {

    private ObjectTasks() {
    }

    /** {@code size} bytes of a pattern depending on {@code seed}. */
    public static byte[] pattern(int size, int seed) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 31 + seed + (i >>> 20));
        }
        return data;
    }

    /** Whether {@code data} is exactly {@link #pattern}(data.length, seed). */
    public static boolean matches(byte[] data, int seed) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] != (byte) (i * 31 + seed + (i >>> 20))) {
                return false;
            }
        }
        return true;
    }

    /** Where the task ran, the argument's size and whether it has the expected content. */
    public static String check(byte[] data, int seed) {
        return Ray.getRuntimeContext().getCurrentNodeId() + ":" + data.length + ":" + matches(data, seed);
    }
}

package dev.stingray.common.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What a raylet tells a warm worker JVM when it hands it to a job: the job, its namespace, its code search path
 * as the job gave it (nested tasks carry it on), the local class-path entries the worker loads the job's classes
 * from, and the runtime env it runs in. A warm worker is started before any job needs it, with only its node's
 * identity; it reads this from its standard input, which the raylet writes once and closes.
 *
 * @param jobIdHex       the job's id
 * @param namespace      the job's namespace ("" = none given)
 * @param codeSearchPath the job's code search path as the job gave it (paths or {@code gcs://} packages)
 * @param classPath      the local directories and jars (or {@code dir/*}) the worker's job class loader reads
 * @param runtimeEnvJson the canonical runtime env JSON ("" = none)
 */
public record WorkerAssignment(String jobIdHex, String namespace, List<String> codeSearchPath, List<String> classPath,
        String runtimeEnvJson) {

    /** The system property that starts a worker JVM warm: for no job, handed to one later with an assignment. */
    public static final String WARM_PROPERTY = "ray.worker.warm";
    /** The job id a worker initializes with before it has a job (never a real job's: job ids count up from 1). */
    public static final String NO_JOB = "ffffffff";

    /** Separates list entries in the message ({@code :} would split {@code gcs://} URIs). */
    private static final String LIST_SEPARATOR = "\n";

    public WorkerAssignment {
        if (jobIdHex == null || !jobIdHex.matches("[0-9a-f]+")) {
            throw new IllegalArgumentException("A worker assignment needs the job id in hex, not '" + jobIdHex + "'");
        }
        namespace = namespace == null ? "" : namespace;
        codeSearchPath = List.copyOf(codeSearchPath);
        classPath = List.copyOf(classPath);
        runtimeEnvJson = runtimeEnvJson == null ? "" : runtimeEnvJson;
    }

    /** The {@code ray.*} system properties a worker started for this job would have had on its command line. */
    public Map<String, String> systemProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("ray.worker.job-id", jobIdHex);
        props.put("ray.job.code-search-path", String.join(java.io.File.pathSeparator, codeSearchPath));
        if (!namespace.isEmpty()) {
            props.put("ray.job.namespace", namespace);
        }
        if (!runtimeEnvJson.isEmpty()) {
            props.put("ray.worker.runtime-env", runtimeEnvJson);
        }
        return props;
    }

    /** Writes it as one message (the raylet then closes the stream). */
    public void writeTo(OutputStream out) throws IOException {
        Properties p = new Properties();
        p.setProperty("job-id", jobIdHex);
        p.setProperty("namespace", namespace);
        p.setProperty("code-search-path", String.join(LIST_SEPARATOR, codeSearchPath));
        p.setProperty("class-path", String.join(LIST_SEPARATOR, classPath));
        p.setProperty("runtime-env", runtimeEnvJson);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        p.store(buffer, null);
        out.write(buffer.toByteArray());
        out.flush();
    }

    /**
     * Reads the message up to the end of the stream; empty when the stream ended without one (the raylet
     * stopped the worker, or died, before handing it to a job).
     *
     * @throws IllegalArgumentException when the stream holds something that is not an assignment
     */
    public static Optional<WorkerAssignment> readFrom(InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        if (bytes.length == 0) {
            return Optional.empty();
        }
        Properties p = new Properties();
        p.load(new java.io.StringReader(new String(bytes, StandardCharsets.ISO_8859_1)));
        if (p.getProperty("job-id") == null) {
            throw new IllegalArgumentException("The worker's standard input holds no job assignment (no job-id): "
                    + new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.ISO_8859_1));
        }
        return Optional.of(new WorkerAssignment(p.getProperty("job-id"), p.getProperty("namespace", ""),
                split(p.getProperty("code-search-path", "")), split(p.getProperty("class-path", "")), p.getProperty("runtime-env", "")));
    }

    private static List<String> split(String joined) {
        return joined.isEmpty() ? List.of() : Arrays.asList(joined.split(LIST_SEPARATOR));
    }
}

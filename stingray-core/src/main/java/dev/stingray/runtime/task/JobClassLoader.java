package dev.stingray.runtime.task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The class loader of a job's code in a worker that was started before the job was known (a warm worker): the
 * job's class-path entries read as {@code java -cp} reads them — a directory, a jar, or {@code dir/*} for the jars
 * in a directory; entries that do not exist are skipped, as the launcher skips them. The worker's own libraries
 * (the parent) come first, as they did on the command line of a worker started for the job. Ray Java loads a job's
 * code the same way: {@code FunctionManager} builds a {@code URLClassLoader} over the job's code search path.
 */
public final class JobClassLoader extends URLClassLoader {

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final List<String> entries;

    private JobClassLoader(URL[] urls, List<String> entries, ClassLoader parent) {
        super("job", urls, parent);
        this.entries = List.copyOf(entries);
    }

    /** A loader over {@code entries} (class-path syntax) below {@code parent}. */
    public static JobClassLoader of(List<String> entries, ClassLoader parent) {
        List<URL> urls = new ArrayList<>();
        for (String entry : entries) {
            if (entry.isBlank()) {
                continue;
            }
            if (entry.endsWith("/*") || entry.equals("*")) {
                Path dir = Path.of(entry.substring(0, entry.length() - 1));
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> files = Files.list(dir)) {
                        files.filter(f -> f.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jar")).sorted()
                                .forEach(f -> urls.add(url(f)));
                    } catch (IOException e) {
                        throw new UncheckedIOException("Cannot list the jars of the job's class-path entry " + entry, e);
                    }
                }
            } else if (Files.exists(Path.of(entry))) {
                urls.add(url(Path.of(entry)));
            }
        }
        return new JobClassLoader(urls.toArray(URL[]::new), entries, parent);
    }

    /** The class-path entries it was made from, as given. */
    public List<String> entries() {
        return entries;
    }

    private static URL url(Path path) {
        try {
            return path.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("Not a usable class-path entry: " + path, e);
        }
    }
}

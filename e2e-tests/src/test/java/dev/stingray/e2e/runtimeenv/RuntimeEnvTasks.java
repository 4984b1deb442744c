package dev.stingray.e2e.runtimeenv;

/** Tasks that report what runtime env they run in. */
public final class RuntimeEnvTasks {

    private RuntimeEnvTasks() {
    }

    public static String env(String name) {
        return System.getenv(name);
    }

    public static String property(String name) {
        return System.getProperty(name);
    }

    public static long pid() {
        return ProcessHandle.current().pid();
    }

    /** Calls {@code className.greet(who)}, a class that only the task's runtime env puts on the class path. */
    public static String callHidden(String className, String who) throws ReflectiveOperationException {
        Class<?> hidden = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
        return (String) hidden.getMethod("greet", String.class).invoke(null, who);
    }

    /** An actor that reads its worker's environment. */
    public static class EnvReader {
        public String read(String name) {
            return System.getenv(name);
        }
    }
}

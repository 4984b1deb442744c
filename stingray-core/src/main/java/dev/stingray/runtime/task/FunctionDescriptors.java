package dev.stingray.runtime.task;

import dev.stingray.proto.JavaFunctionDescriptor;
import io.ray.api.function.RayFunc;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Function descriptors as Ray Java builds them ({@code runtime/functionmanager}): class, method and JVM
 * descriptor taken from the lambda's {@link SerializedLambda}; resolved on workers by indexing every
 * declared method and constructor of the class and its supertypes by {@code (name, descriptor)}.
 */
public final class FunctionDescriptors {

    private static final Map<Class<?>, JavaFunctionDescriptor> BY_LAMBDA_CLASS = new ConcurrentHashMap<>();
    private static final Map<JavaFunctionDescriptor, Executable> RESOLVED = new ConcurrentHashMap<>();

    private FunctionDescriptors() {
    }

    /** The descriptor of a method reference such as {@code Tasks::echo}. */
    public static JavaFunctionDescriptor of(RayFunc func) {
        return BY_LAMBDA_CLASS.computeIfAbsent(func.getClass(), c -> {
            SerializedLambda lambda = serializedLambda(func);
            return JavaFunctionDescriptor.newBuilder()
                    .setClassName(lambda.getImplClass().replace('/', '.'))
                    .setFunctionName(lambda.getImplMethodName())
                    .setSignature(lambda.getImplMethodSignature())
                    .build();
        });
    }

    private static SerializedLambda serializedLambda(RayFunc func) {
        try {
            Method writeReplace = func.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            return (SerializedLambda) writeReplace.invoke(func);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("Ray functions must be method references such as MyClass::myMethod; got "
                    + func.getClass().getName(), e);
        }
    }

    /**
     * The method or constructor a descriptor names, loaded through {@code loader}. Fails with a message
     * naming the class or method when it cannot be found.
     */
    public static Executable resolve(JavaFunctionDescriptor descriptor, ClassLoader loader) {
        return RESOLVED.computeIfAbsent(descriptor, d -> {
            Class<?> type;
            try {
                type = Class.forName(d.getClassName(), true, loader);
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException(classNotFound(d.getClassName(), System.getProperty("ray.job.code-search-path", "")));
            }
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                Executable found = find(c, d);
                if (found != null) {
                    found.setAccessible(true);
                    return found;
                }
            }
            for (Class<?> i : type.getInterfaces()) {
                Executable found = find(i, d);
                if (found != null) {
                    found.setAccessible(true);
                    return found;
                }
            }
            throw new IllegalArgumentException("Method " + d.getClassName() + "." + d.getFunctionName() + d.getSignature()
                    + " was not found; the worker's copy of " + d.getClassName() + " differs from the driver's");
        });
    }

    /** What a worker says when the job's code lacks a class: the class, the job's code (packages or paths), what to change. */
    static String classNotFound(String className, String codeSearchPath) {
        java.util.List<String> entries = codeSearchPath.isBlank() ? java.util.List.of()
                : dev.stingray.runtime.config.RayConfig.splitSearchPath(codeSearchPath);
        boolean shipped = entries.stream().anyMatch(e -> e.startsWith("gcs://"));
        return "Class " + className + " was not found on the worker's class path. The job's code search path is "
                + (entries.isEmpty() ? "empty" : entries) + (shipped ? " (packages the driver uploaded from its own class path)" : "")
                + ". Put the jar or class directory that holds " + className + " on the driver's class path (it is shipped to the"
                + " workers), or name it in runtime_env java_jars; an explicit -Dray.job.code-search-path must name paths that"
                + " exist on every node";
    }

    private static Executable find(Class<?> c, JavaFunctionDescriptor d) {
        if (d.getFunctionName().equals("<init>")) {
            for (Constructor<?> ctor : c.getDeclaredConstructors()) {
                if (descriptor(ctor.getParameterTypes(), void.class).equals(d.getSignature())) {
                    return ctor;
                }
            }
            return null;
        }
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(d.getFunctionName()) && descriptor(m.getParameterTypes(), m.getReturnType()).equals(d.getSignature())) {
                return m;
            }
        }
        return null;
    }

    static String descriptor(Class<?>[] params, Class<?> ret) {
        StringBuilder sb = new StringBuilder("(");
        for (Class<?> p : params) {
            sb.append(typeDescriptor(p));
        }
        return sb.append(')').append(typeDescriptor(ret)).toString();
    }

    private static String typeDescriptor(Class<?> c) {
        return c.descriptorString();
    }
}

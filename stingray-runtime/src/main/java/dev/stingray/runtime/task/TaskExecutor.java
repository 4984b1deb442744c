package dev.stingray.runtime.task;

import dev.stingray.proto.PushTaskReply;
import dev.stingray.proto.RayObject;
import dev.stingray.proto.ReturnObject;
import dev.stingray.proto.TaskArg;
import dev.stingray.proto.TaskSpec;
import dev.stingray.runtime.object.ObjectRefImpl;
import dev.stingray.runtime.serialization.ObjectSerializer;
import io.ray.api.exception.RayTaskException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.function.Function;

/**
 * Runs a pushed task on a worker (Ray: {@code TaskExecutor} of the Java worker): resolves the function
 * from the job's class path, resolves ObjectRef arguments by fetching them from their owners, invokes,
 * and serializes the return value — or the user's exception as a {@link RayTaskException} carrying the
 * remote stack trace and the worker's pid and ip.
 */
public final class TaskExecutor {

    private final ObjectSerializer serializer;
    private final ClassLoader classLoader;
    private final Function<ObjectRefImpl<?>, Object> fetch;
    private final int pid;
    private final String ip;

    public TaskExecutor(ObjectSerializer serializer, ClassLoader classLoader, Function<ObjectRefImpl<?>, Object> fetch, String ip) {
        this.serializer = serializer;
        this.classLoader = classLoader;
        this.fetch = fetch;
        this.pid = (int) ProcessHandle.current().pid();
        this.ip = ip;
    }

    public PushTaskReply execute(TaskSpec spec) {
        // Ray's marker lines: the log monitor attributes the following output to this task.
        System.out.println(":task_name:" + spec.getName());
        System.err.println(":task_name:" + spec.getName());
        Object result;
        try {
            Executable function = FunctionDescriptors.resolve(spec.getFunction(), classLoader);
            Object[] args = new Object[spec.getArgsCount()];
            for (int i = 0; i < args.length; i++) {
                TaskArg arg = spec.getArgs(i);
                args[i] = arg.hasObjectRef() ? fetch.apply(ObjectRefImpl.of(arg.getObjectRef())) : serializer.deserialize(arg.getValue());
            }
            result = invoke(function, args);
        } catch (InvocationTargetException e) {
            return error(spec, e.getCause());
        } catch (Throwable e) {
            return error(spec, e);
        }
        PushTaskReply.Builder reply = PushTaskReply.newBuilder();
        if (spec.getReturnIdsCount() > 0) {
            RayObject value = serializer.serialize(result);
            reply.addReturnObjects(ReturnObject.newBuilder().setObjectId(spec.getReturnIds(0)).setValue(value));
        }
        return reply.build();
    }

    private static Object invoke(Executable function, Object[] args) throws ReflectiveOperationException {
        if (function instanceof Method m) {
            if (!java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                throw new IllegalArgumentException("Method " + m + " is not static; normal tasks call static methods (actor methods come"
                        + " with Ray.actor)");
            }
            return m.invoke(null, args);
        }
        return ((Constructor<?>) function).newInstance(args);
    }

    private PushTaskReply error(TaskSpec spec, Throwable cause) {
        StringWriter trace = new StringWriter();
        cause.printStackTrace(new PrintWriter(trace));
        String function = spec.getFunction().getClassName() + "." + spec.getFunction().getFunctionName();
        RayTaskException error = new RayTaskException(pid, ip, "Error executing task " + function + ":\n" + trace, cause);
        PushTaskReply.Builder reply = PushTaskReply.newBuilder().setIsApplicationError(true);
        RayObject value;
        try {
            value = serializer.serializeError(error);
        } catch (RuntimeException notSerializable) {
            // The user's exception does not survive serialization: keep its text.
            value = serializer.serializeError(new RayTaskException(pid, ip, "Error executing task " + function + ":\n" + trace, null));
        }
        for (var id : spec.getReturnIdsList()) {
            reply.addReturnObjects(ReturnObject.newBuilder().setObjectId(id).setValue(value));
        }
        return reply.build();
    }
}

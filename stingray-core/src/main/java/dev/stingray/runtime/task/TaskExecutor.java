package dev.stingray.runtime.task;

import dev.stingray.proto.PushTaskReply;
import dev.stingray.proto.RayObject;
import dev.stingray.proto.ReturnObject;
import dev.stingray.proto.TaskArg;
import dev.stingray.proto.TaskSpec;
import dev.stingray.proto.TaskType;
import com.google.protobuf.ByteString;
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
 *
 * <p>Actors: an actor creation task constructs the instance this worker hosts from then on; actor tasks
 * call its methods. A method that calls {@code Ray.exitActor()} ends with a reply that says the worker
 * is exiting.
 */
public final class TaskExecutor {

    private final ObjectSerializer serializer;
    private final ClassLoader classLoader;
    private final Function<ObjectRefImpl<?>, Object> fetch;
    private final int pid;
    private final String ip;
    private volatile Object actor;
    private volatile ByteString actorId = ByteString.EMPTY;
    private volatile boolean actorRestarted;
    /** The resources of the hosted actor (its creation task's), for methods that ask what they hold. */
    private volatile java.util.Map<String, Double> actorResources = java.util.Map.of();
    private final ThreadLocal<java.util.Map<String, Double>> runningResources = new ThreadLocal<>();

    public TaskExecutor(ObjectSerializer serializer, ClassLoader classLoader, Function<ObjectRefImpl<?>, Object> fetch, String ip) {
        this.serializer = serializer;
        this.classLoader = classLoader;
        this.fetch = fetch;
        this.pid = (int) ProcessHandle.current().pid();
        this.ip = ip;
    }

    /** The id of the actor this worker hosts, empty if none. */
    public ByteString actorId() {
        return actorId;
    }

    /** Whether the hosted actor was created by a restart (Ray: {@code wasCurrentActorRestarted}). */
    public boolean actorRestarted() {
        return actorRestarted;
    }

    /**
     * The resources the task running on this thread was granted (an actor method: its actor's); empty
     * outside a task.
     */
    public java.util.Map<String, Double> currentResources() {
        java.util.Map<String, Double> running = runningResources.get();
        return running == null ? java.util.Map.of() : running;
    }

    public PushTaskReply execute(TaskSpec spec) {
        if (spec.getType() == TaskType.ACTOR_CREATION_TASK) {
            actorResources = java.util.Map.copyOf(spec.getRequiredResourcesMap());
        }
        runningResources.set(spec.getType() == TaskType.NORMAL_TASK ? spec.getRequiredResourcesMap() : actorResources);
        try {
            return run(spec);
        } finally {
            runningResources.remove();
        }
    }

    private PushTaskReply run(TaskSpec spec) {
        // Ray's marker lines: the log monitor attributes the following output to this task (and actor).
        if (spec.getType() == TaskType.ACTOR_CREATION_TASK) {
            System.out.println(":actor_name:" + spec.getFunction().getClassName());
            System.err.println(":actor_name:" + spec.getFunction().getClassName());
        }
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
            switch (spec.getType()) {
                case ACTOR_CREATION_TASK -> {
                    // Known before the constructor runs, so it can ask the runtime context.
                    actorId = spec.getActorCreationTaskSpec().getActorId();
                    actorRestarted = spec.getAttemptNumber() > 0;
                    actor = invoke(function, args);
                    result = null;
                }
                case ACTOR_TASK -> result = invokeOnActor(function, args);
                default -> result = invoke(function, args);
            }
        } catch (InvocationTargetException e) {
            return failed(spec, e.getCause());
        } catch (Throwable e) {
            return failed(spec, e);
        }
        PushTaskReply.Builder reply = PushTaskReply.newBuilder();
        if (spec.getReturnIdsCount() > 0) {
            RayObject value = serializer.serialize(result);
            reply.addReturnObjects(ReturnObject.newBuilder().setObjectId(spec.getReturnIds(0)).setValue(value));
        }
        return reply.build();
    }

    private Object invokeOnActor(Executable function, Object[] args) throws ReflectiveOperationException {
        Object instance = actor;
        if (instance == null || !(function instanceof Method m)) {
            throw new IllegalStateException("This worker hosts no actor to call " + function + " on");
        }
        if (java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
            return m.invoke(null, args);
        }
        return m.invoke(instance, args);
    }

    /** The reply of a task that threw: Ray.exitActor() ends the actor, anything else is the user's error. */
    private PushTaskReply failed(TaskSpec spec, Throwable cause) {
        if (cause instanceof io.ray.api.exception.RayIntentionalSystemExitException && !actorId.isEmpty()) {
            RayObject value = serializer.serializeError(new dev.stingray.runtime.actor.ActorDiedException(
                    io.ray.api.id.ActorId.fromBytes(actorId.toByteArray()), "The actor exited intentionally with Ray.exitActor()."));
            PushTaskReply.Builder reply = PushTaskReply.newBuilder().setIsApplicationError(true).setWorkerExiting(true);
            spec.getReturnIdsList().forEach(id -> reply.addReturnObjects(ReturnObject.newBuilder().setObjectId(id).setValue(value)));
            return reply.build();
        }
        return error(spec, cause);
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
        PushTaskReply.Builder reply = PushTaskReply.newBuilder().setIsApplicationError(true).setErrorMessage(error.getMessage());
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

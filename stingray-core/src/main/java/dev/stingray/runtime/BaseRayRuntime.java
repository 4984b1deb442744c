package dev.stingray.runtime;

import io.ray.api.ActorHandle;
import io.ray.api.BaseActorHandle;
import io.ray.api.CppActorHandle;
import io.ray.api.ObjectRef;
import io.ray.api.PyActorHandle;
import io.ray.api.concurrencygroup.ConcurrencyGroup;
import io.ray.api.function.CppActorClass;
import io.ray.api.function.CppActorMethod;
import io.ray.api.function.CppFunction;
import io.ray.api.function.PyActorClass;
import io.ray.api.function.PyActorMethod;
import io.ray.api.function.PyFunction;
import io.ray.api.function.RayFunc;
import io.ray.api.function.RayFuncR;
import io.ray.api.id.ActorId;
import io.ray.api.id.PlacementGroupId;
import io.ray.api.options.ActorCreationOptions;
import io.ray.api.options.CallOptions;
import io.ray.api.options.PlacementGroupCreationOptions;
import io.ray.api.parallelactor.ParallelActorContext;
import io.ray.api.placementgroup.PlacementGroup;
import io.ray.api.runtime.RayRuntime;
import io.ray.api.runtimecontext.ResourceValue;
import io.ray.api.runtimeenv.RuntimeEnv;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of {@link RayRuntime} that a Stingray runtime (in-cluster driver/worker, Ray Client) does not
 * offer: concurrency groups (issue #4, both runtimes) and actors, placement groups and runtime
 * environments (the Ray Client runtime; {@link StingrayRuntime} overrides them) fail with
 * {@link UnsupportedOperationException} naming the feature; cross-language calls are not supported at all.
 */
public abstract class BaseRayRuntime implements RayRuntime {

    /** The exception for a feature that comes with issue #4. */
    protected UnsupportedOperationException notYet(String what) {
        return new UnsupportedOperationException(what + " are not implemented in Stingray yet (issue #4)");
    }

    private static UnsupportedOperationException crossLanguage(String what) {
        return new UnsupportedOperationException("Cross-language " + what + " are not supported by Stingray");
    }

    @Override
    public <T> ObjectRef<T> put(T obj, BaseActorHandle owner) {
        throw notYet("Puts owned by an actor");
    }

    @Override
    public ObjectRef call(PyFunction pyFunction, Object[] args, CallOptions options) {
        throw crossLanguage("calls to Python");
    }

    @Override
    public ObjectRef call(CppFunction cppFunction, Object[] args, CallOptions options) {
        throw crossLanguage("calls to C++");
    }

    @Override
    public ObjectRef callActor(ActorHandle<?> actor, RayFunc func, Object[] args, CallOptions options) {
        throw notYet("Actor calls");
    }

    @Override
    public ObjectRef callActor(PyActorHandle pyActor, PyActorMethod pyActorMethod, Object[] args) {
        throw crossLanguage("actors");
    }

    @Override
    public ObjectRef callActor(CppActorHandle cppActor, CppActorMethod cppActorMethod, Object[] args) {
        throw crossLanguage("actors");
    }

    @Override
    public <T> ActorHandle<T> createActor(RayFunc actorFactoryFunc, Object[] args, ActorCreationOptions options) {
        throw notYet("Actors");
    }

    @Override
    public PyActorHandle createActor(PyActorClass pyActorClass, Object[] args, ActorCreationOptions options) {
        throw crossLanguage("actors");
    }

    @Override
    public CppActorHandle createActor(CppActorClass cppActorClass, Object[] args, ActorCreationOptions options) {
        throw crossLanguage("actors");
    }

    @Override
    public <T extends BaseActorHandle> T getActorHandle(ActorId actorId) {
        throw notYet("Actor handles");
    }

    @Override
    public <T extends BaseActorHandle> Optional<T> getActor(String name, String namespace) {
        throw notYet("Named actors");
    }

    @Override
    public void killActor(BaseActorHandle actor, boolean noRestart) {
        throw notYet("Actors");
    }

    @Override
    public PlacementGroup createPlacementGroup(PlacementGroupCreationOptions creationOptions) {
        throw notYet("Placement groups");
    }

    @Override
    public void exitActor() {
        throw notYet("Actors");
    }

    /** Resource ids of the running task: a driver (and a Ray Client) runs none, so it holds none. */
    @Override
    public Map<String, List<ResourceValue>> getAvailableResourceIds() {
        return Map.of();
    }

    @Override
    public PlacementGroup getPlacementGroup(PlacementGroupId id) {
        throw notYet("Placement groups");
    }

    @Override
    public PlacementGroup getPlacementGroup(String name, String namespace) {
        throw notYet("Placement groups");
    }

    @Override
    public List<PlacementGroup> getAllPlacementGroups() {
        throw notYet("Placement groups");
    }

    @Override
    public void removePlacementGroup(PlacementGroupId id) {
        throw notYet("Placement groups");
    }

    @Override
    public boolean waitPlacementGroupReady(PlacementGroupId id, int timeoutSeconds) {
        throw notYet("Placement groups");
    }

    @Override
    public ConcurrencyGroup createConcurrencyGroup(String name, int maxConcurrency, List<RayFunc> funcs) {
        throw notYet("Concurrency groups");
    }

    /**
     * {@code Ray.actor(...)} asks for the groups an actor class declares with {@code @DefConcurrencyGroup};
     * an actor without them has none. Declared groups are not supported yet.
     */
    @Override
    public List<ConcurrencyGroup> extractConcurrencyGroups(RayFuncR<?> actorConstructorLambda) {
        String className = dev.stingray.runtime.task.FunctionDescriptors.of(actorConstructorLambda).getClassName();
        Class<?> actorClass;
        try {
            actorClass = Class.forName(className, false, actorConstructorLambda.getClass().getClassLoader());
        } catch (ClassNotFoundException e) {
            return List.of();
        }
        if (actorClass.isAnnotationPresent(io.ray.api.concurrencygroup.annotations.DefConcurrencyGroup.class)
                || actorClass.isAnnotationPresent(io.ray.api.concurrencygroup.annotations.DefConcurrencyGroups.class)) {
            throw notYet("Concurrency groups (@DefConcurrencyGroup on " + className + ")");
        }
        return List.of();
    }

    @Override
    public RuntimeEnv createRuntimeEnv() {
        return new dev.stingray.runtime.runtimeenv.RuntimeEnvImpl();
    }

    @Override
    public RuntimeEnv deserializeRuntimeEnv(String serializedRuntimeEnv) {
        return dev.stingray.runtime.runtimeenv.RuntimeEnvImpl.deserialize(serializedRuntimeEnv);
    }

    @Override
    public ParallelActorContext getParallelActorContext() {
        throw notYet("Parallel actors");
    }
}

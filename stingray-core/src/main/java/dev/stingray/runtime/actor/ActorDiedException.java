package dev.stingray.runtime.actor;

import io.ray.api.exception.RayActorException;
import io.ray.api.id.ActorId;

/**
 * A call failed because its actor died: a {@link RayActorException} whose message says why (the actor's
 * death cause from the GCS, or what the caller saw), where Ray's own constructors only say that it died.
 */
public final class ActorDiedException extends RayActorException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    public ActorDiedException(ActorId actorId, String reason) {
        super(actorId);
        this.reason = reason;
    }

    @Override
    public String getMessage() {
        return "The actor " + actorId + " died before finishing this task. " + reason;
    }
}

package dev.stingray.runtime.object;

import dev.stingray.proto.RayObject;

/**
 * A task argument that is already serialized (by a Ray Client, whose classes the client server does
 * not load): {@link dev.stingray.runtime.CoreWorker#submitTask} passes it on as is.
 *
 * @param value the serialized value
 */
public record SerializedValue(RayObject value) {
}

package dev.stingray.gcs.node;

import dev.stingray.proto.GcsNodeInfo;

/** Told by {@link GcsNodeManager} when a node joins or leaves (Ray: {@code AddNodeAddedListener}). */
public interface NodeListener {

    default void onNodeAdded(GcsNodeInfo node) {
    }

    /** The node is DEAD; {@code node} carries its death info. */
    default void onNodeRemoved(GcsNodeInfo node) {
    }
}

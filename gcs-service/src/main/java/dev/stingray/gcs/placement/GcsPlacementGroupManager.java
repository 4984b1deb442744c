package dev.stingray.gcs.placement;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.stingray.common.error.StingrayException;
import dev.stingray.common.rpc.Channels;
import dev.stingray.gcs.node.NodeListener;
import dev.stingray.gcs.store.GcsTable;
import dev.stingray.proto.Address;
import dev.stingray.proto.Bundle;
import dev.stingray.proto.CancelResourceReserveRequest;
import dev.stingray.proto.CommitBundleResourcesRequest;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.NodeManagerServiceGrpc;
import dev.stingray.proto.PlacementGroupTableData;
import dev.stingray.proto.PlacementGroupTableData.PlacementGroupState;
import dev.stingray.proto.PlacementStrategy;
import dev.stingray.proto.PrepareBundleResourcesReply;
import dev.stingray.proto.PrepareBundleResourcesRequest;
import dev.stingray.proto.ResourcesData;
import io.grpc.Status;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Placement groups (Ray: {@code gcs_placement_group_manager.cc} and {@code gcs_placement_group_scheduler.cc}).
 *
 * <ul>
 *   <li>A new group is PENDING. {@link BundlePlacement} picks nodes from the nodes' reported available
 *       resources; the bundles are then reserved in two phases: {@code PrepareBundleResources} on every
 *       chosen raylet, and only if all succeed {@code CommitBundleResources} on all of them — otherwise the
 *       prepared ones are cancelled ({@code CancelResourceReserve}) and the group is tried again.</li>
 *   <li>Groups that do not fit now (infeasible ones too) stay PENDING and are tried again every second.</li>
 *   <li>When a node dies, the groups with bundles on it go RESCHEDULING and only the lost bundles are placed
 *       again. Removing a group releases its bundles; a finished job's groups are removed.</li>
 *   <li>Names are unique per namespace while the group is not REMOVED.</li>
 * </ul>
 *
 * <p>Thread-safe: state is guarded by this object's monitor; RPCs run outside it.
 */
public final class GcsPlacementGroupManager implements NodeListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GcsPlacementGroupManager.class);

    /** Ray's PlacementGroupID length: 14 unique bytes followed by the 4-byte job id. */
    public static final int PLACEMENT_GROUP_ID_SIZE = 18;

    private final GcsTable<PlacementGroupTableData> table;
    private final Supplier<List<ResourcesData>> views;
    private final Function<ByteString, Optional<GcsNodeInfo>> aliveNode;
    private final Executor executor;
    private final Clock clock;
    private final Channels channels = new Channels();
    private final Map<ByteString, PlacementGroupTableData> groups = new LinkedHashMap<>();
    private final Map<String, Map<String, ByteString>> named = new HashMap<>();
    private final Map<ByteString, List<CompletableFuture<Void>>> waiters = new HashMap<>();
    /** Groups with a reservation in flight. */
    private final Set<ByteString> inFlight = new HashSet<>();

    public GcsPlacementGroupManager(GcsTable<PlacementGroupTableData> table, Supplier<List<ResourcesData>> views,
            Function<ByteString, Optional<GcsNodeInfo>> aliveNode, Executor executor, ScheduledExecutorService timer, Clock clock) {
        this.table = table;
        this.views = views;
        this.aliveNode = aliveNode;
        this.executor = executor;
        this.clock = clock;
        timer.scheduleWithFixedDelay(() -> executor.execute(this::scheduleAllPending), 1, 1, TimeUnit.SECONDS);
    }

    /** Loads the table (GCS restart on Redis): names are reserved again; pending groups are tried again by the timer. */
    public synchronized void initialize() {
        for (PlacementGroupTableData group : table.getAll().values()) {
            groups.put(group.getPlacementGroupId(), group);
            if (group.getState() != PlacementGroupState.REMOVED && !group.getName().isEmpty()) {
                named.computeIfAbsent(group.getRayNamespace(), k -> new HashMap<>()).put(group.getName(), group.getPlacementGroupId());
            }
        }
    }

    // ------------------------------------------------------------------ RPC handlers

    /** Ray's {@code HandleCreatePlacementGroup}: records the group PENDING and starts placing it. */
    public void handleCreatePlacementGroup(PlacementGroupTableData spec) {
        validate(spec);
        ByteString id = spec.getPlacementGroupId();
        synchronized (this) {
            if (groups.containsKey(id)) {
                return;
            }
            if (!spec.getName().isEmpty()) {
                if (named.getOrDefault(spec.getRayNamespace(), Map.of()).containsKey(spec.getName())) {
                    throw StingrayException.alreadyExists("Placement group with name '" + spec.getName()
                            + "' already exists in the namespace " + spec.getRayNamespace());
                }
                named.computeIfAbsent(spec.getRayNamespace(), k -> new HashMap<>()).put(spec.getName(), id);
            }
            PlacementGroupTableData.Builder group = spec.toBuilder().clearBundles().setState(PlacementGroupState.PENDING)
                    .setCreateTimeMs(clock.millis()).setStateMessage("waiting to be placed");
            for (int i = 0; i < spec.getBundlesCount(); i++) {
                group.addBundles(Bundle.newBuilder().putAllUnitResources(spec.getBundles(i).getUnitResourcesMap())
                        .setBundleId(Bundle.BundleIdentifier.newBuilder().setPlacementGroupId(id).setBundleIndex(i)));
            }
            save(group.build());
        }
        schedule(id);
    }

    /** Ray's {@code HandleRemovePlacementGroup}: REMOVED, its bundles released; NOT_FOUND for an unknown group. */
    public void handleRemovePlacementGroup(ByteString id) {
        PlacementGroupTableData removed;
        List<CompletableFuture<Void>> waiting;
        synchronized (this) {
            PlacementGroupTableData group = get(id);
            if (group.getState() == PlacementGroupState.REMOVED) {
                return;
            }
            removed = group.toBuilder().setState(PlacementGroupState.REMOVED).setStateMessage("removed").build();
            save(removed);
            Map<String, ByteString> names = named.get(group.getRayNamespace());
            if (names != null) {
                names.remove(group.getName(), id);
            }
            waiting = waiters.remove(id);
        }
        log.info("Placement group {} removed", hex(id));
        removed.getBundlesList().stream().filter(b -> !b.getNodeId().isEmpty()).forEach(this::cancel);
        if (waiting != null) {
            waiting.forEach(w -> w.completeExceptionally(Status.NOT_FOUND
                    .withDescription("Placement group " + hex(id) + " was removed before it was ready").asRuntimeException()));
        }
    }

    public synchronized PlacementGroupTableData handleGetPlacementGroup(ByteString id) {
        return get(id);
    }

    /** The group with that name in that namespace, unless it was removed; NOT_FOUND otherwise. */
    public synchronized PlacementGroupTableData handleGetNamedPlacementGroup(String name, String namespace) {
        ByteString id = named.getOrDefault(namespace, Map.of()).get(name);
        if (id == null) {
            throw StingrayException.notFound("No placement group named '" + name + "' in the namespace " + namespace);
        }
        return groups.get(id);
    }

    public synchronized List<PlacementGroupTableData> handleGetAllPlacementGroup(Long limit) {
        if (limit != null && limit < 0) {
            throw StingrayException.invalidArgument("limit must not be negative, got " + limit);
        }
        return groups.values().stream().limit(limit == null ? Long.MAX_VALUE : limit).toList();
    }

    /** Completes once the group is CREATED; fails NOT_FOUND when it is unknown or removed first. */
    public synchronized CompletableFuture<Void> handleWaitPlacementGroupUntilReady(ByteString id) {
        PlacementGroupTableData group = get(id);
        if (group.getState() == PlacementGroupState.CREATED) {
            return CompletableFuture.completedFuture(null);
        }
        if (group.getState() == PlacementGroupState.REMOVED) {
            return CompletableFuture.failedFuture(Status.NOT_FOUND.withDescription("Placement group " + hex(id) + " was removed")
                    .asRuntimeException());
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(ready);
        // A caller that gave up (deadline passed) cancels its wait: it leaves the list at once.
        ready.whenComplete((v, e) -> {
            if (ready.isCancelled()) {
                synchronized (this) {
                    List<CompletableFuture<Void>> list = waiters.get(id);
                    if (list != null) {
                        list.remove(ready);
                    }
                }
            }
        });
        return ready;
    }

    // ------------------------------------------------------------------ events

    /** A node died: groups with bundles on it go RESCHEDULING, and the lost bundles are placed again. */
    @Override
    public void onNodeRemoved(GcsNodeInfo node) {
        List<ByteString> affected = new ArrayList<>();
        synchronized (this) {
            for (PlacementGroupTableData group : groups.values()) {
                if (group.getState() == PlacementGroupState.REMOVED
                        || group.getBundlesList().stream().noneMatch(b -> b.getNodeId().equals(node.getNodeId()))) {
                    continue;
                }
                PlacementGroupTableData.Builder builder = group.toBuilder().setState(PlacementGroupState.RESCHEDULING)
                        .setStateMessage("bundles lost with node " + hex(node.getNodeId()));
                for (int i = 0; i < builder.getBundlesCount(); i++) {
                    if (builder.getBundles(i).getNodeId().equals(node.getNodeId())) {
                        builder.setBundles(i, builder.getBundles(i).toBuilder().clearNodeId());
                    }
                }
                save(builder.build());
                affected.add(group.getPlacementGroupId());
            }
        }
        affected.forEach(id -> {
            log.info("Placement group {} lost bundles with node {}; placing them again", hex(id), hex(node.getNodeId()));
            schedule(id);
        });
    }

    /** A job finished: the groups it created are removed (Ray: non-detached groups die with their job). */
    public void onJobFinished(ByteString jobId) {
        List<ByteString> ofJob;
        synchronized (this) {
            ofJob = groups.values().stream().filter(g -> g.getCreatorJobId().equals(jobId) && !g.getIsDetached()
                    && g.getState() != PlacementGroupState.REMOVED).map(PlacementGroupTableData::getPlacementGroupId).toList();
        }
        ofJob.forEach(this::handleRemovePlacementGroup);
    }

    // ------------------------------------------------------------------ placement

    private void scheduleAllPending() {
        List<ByteString> pending;
        synchronized (this) {
            pending = groups.values().stream().filter(g -> g.getState() == PlacementGroupState.PENDING
                    || g.getState() == PlacementGroupState.RESCHEDULING).map(PlacementGroupTableData::getPlacementGroupId).toList();
        }
        pending.forEach(this::schedule);
    }

    /** One attempt to place the group's unplaced bundles: choose nodes, prepare on all, then commit on all or roll back. */
    private void schedule(ByteString id) {
        PlacementGroupTableData group;
        Map<Integer, ByteString> chosen;
        synchronized (this) {
            group = groups.get(id);
            if (group == null || !(group.getState() == PlacementGroupState.PENDING || group.getState() == PlacementGroupState.RESCHEDULING)
                    || !inFlight.add(id)) {
                return;
            }
            Map<Integer, Map<String, Double>> toPlace = new LinkedHashMap<>();
            Map<Integer, ByteString> placed = new HashMap<>();
            for (Bundle b : group.getBundlesList()) {
                if (b.getNodeId().isEmpty()) {
                    toPlace.put(b.getBundleId().getBundleIndex(), b.getUnitResourcesMap());
                } else {
                    placed.put(b.getBundleId().getBundleIndex(), b.getNodeId());
                }
            }
            Map<ByteString, Map<String, Double>> available = new LinkedHashMap<>();
            views.get().forEach(v -> available.put(v.getNodeId(), v.getResourcesAvailableMap()));
            Optional<Map<Integer, ByteString>> placement = BundlePlacement.place(group.getStrategy(), toPlace, placed, available);
            if (placement.isEmpty()) {
                inFlight.remove(id);
                String message = "no placement of " + toPlace.size() + " bundle(s) " + toPlace.values() + " with " + group.getStrategy()
                        + " fits the alive nodes now";
                if (!message.equals(group.getStateMessage())) {
                    log.info("Placement group {} stays {}: {}", hex(id), group.getState(), message);
                    save(group.toBuilder().setStateMessage(message).build());
                }
                return;
            }
            chosen = placement.get();
        }
        Map<ByteString, List<Bundle>> byNode = new LinkedHashMap<>();
        for (Bundle b : group.getBundlesList()) {
            ByteString node = chosen.get(b.getBundleId().getBundleIndex());
            if (node != null) {
                byNode.computeIfAbsent(node, k -> new ArrayList<>()).add(b.toBuilder().setNodeId(node).build());
            }
        }
        reserve(id, byNode);
    }

    private void reserve(ByteString id, Map<ByteString, List<Bundle>> byNode) {
        Map<ByteString, ListenableFuture<PrepareBundleResourcesReply>> prepares = new LinkedHashMap<>();
        byNode.forEach((node, bundles) -> prepares.put(node, raylet(node)
                .map(r -> r.prepareBundleResources(PrepareBundleResourcesRequest.newBuilder().addAllBundleSpecs(bundles).build()))
                .orElseGet(() -> Futures.immediateFailedFuture(new IllegalStateException("node " + hex(node) + " is not alive")))));
        Futures.whenAllComplete(prepares.values()).run(() -> {
            boolean all = true;
            for (var p : prepares.values()) {
                try {
                    all &= Futures.getDone(p).getSuccess();
                } catch (Exception e) {
                    all = false;
                }
            }
            if (!all || !stillWanted(id)) {
                // Every chosen node, not only those that said yes: a prepare whose reply was lost may have reserved
                // (cancel is idempotent and ignores bundles a raylet does not hold).
                byNode.values().forEach(bundles -> bundles.forEach(this::cancel));
                synchronized (this) {
                    inFlight.remove(id);
                }
                return;
            }
            commit(id, byNode);
        }, executor);
    }

    private void commit(ByteString id, Map<ByteString, List<Bundle>> byNode) {
        List<ListenableFuture<?>> commits = new ArrayList<>();
        byNode.forEach((node, bundles) -> commits.add(raylet(node)
                .map(r -> (ListenableFuture<?>) r.commitBundleResources(CommitBundleResourcesRequest.newBuilder().addAllBundleSpecs(bundles).build()))
                .orElseGet(() -> Futures.immediateFailedFuture(new IllegalStateException("node " + hex(node) + " is not alive")))));
        Futures.whenAllComplete(commits).run(() -> {
            boolean ok = commits.stream().allMatch(f -> {
                try {
                    Futures.getDone(f);
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
            List<CompletableFuture<Void>> ready = null;
            boolean saved = false;
            synchronized (this) {
                inFlight.remove(id);
                PlacementGroupTableData group = groups.get(id);
                // A node that died while its commit was in flight is not in any bundle yet, so onNodeRemoved
                // missed it: such a placement is rolled back and tried again instead of saved.
                boolean nodesAlive = byNode.keySet().stream().allMatch(n -> aliveNode.apply(n).isPresent());
                if (ok && nodesAlive && group != null && group.getState() != PlacementGroupState.REMOVED) {
                    PlacementGroupTableData.Builder builder = group.toBuilder();
                    byNode.values().forEach(bundles -> bundles.forEach(b -> builder.setBundles(b.getBundleId().getBundleIndex(), b)));
                    boolean complete = builder.getBundlesList().stream().noneMatch(b -> b.getNodeId().isEmpty());
                    if (complete) {
                        builder.setState(PlacementGroupState.CREATED).setStateMessage("");
                        ready = waiters.remove(id);
                    }
                    save(builder.build());
                    log.info("Placement group {} ({}) is {}", hex(id), group.getStrategy(), builder.getState());
                    saved = true;
                }
            }
            if (!saved) {
                // Removed meanwhile, or a node went away: give back whatever was reserved; the timer tries again.
                byNode.values().forEach(bundles -> bundles.forEach(this::cancel));
            } else if (ready != null) {
                ready.forEach(f -> f.complete(null));
            }
        }, executor);
    }

    private synchronized boolean stillWanted(ByteString id) {
        PlacementGroupTableData group = groups.get(id);
        return group != null && group.getState() != PlacementGroupState.REMOVED;
    }

    private void cancel(Bundle bundle) {
        raylet(bundle.getNodeId()).ifPresent(r -> r.cancelResourceReserve(CancelResourceReserveRequest.newBuilder().setBundleSpec(bundle).build()));
    }

    private Optional<NodeManagerServiceGrpc.NodeManagerServiceFutureStub> raylet(ByteString nodeId) {
        return aliveNode.apply(nodeId).map(n -> NodeManagerServiceGrpc.newFutureStub(channels.to(Address.newBuilder()
                .setIpAddress(n.getNodeManagerAddress()).setPort(n.getNodeManagerPort()).build())).withDeadlineAfter(10, TimeUnit.SECONDS));
    }

    private PlacementGroupTableData get(ByteString id) {
        PlacementGroupTableData group = groups.get(id);
        if (group == null) {
            throw StingrayException.notFound("Placement group " + hex(id) + " does not exist; `stingray list placement-groups` shows the known ones");
        }
        return group;
    }

    private void save(PlacementGroupTableData group) {
        table.put(group.getPlacementGroupId(), group);
        groups.put(group.getPlacementGroupId(), group);
    }

    private static void validate(PlacementGroupTableData spec) {
        int size = spec.getPlacementGroupId().size();
        if (size != PLACEMENT_GROUP_ID_SIZE) {
            throw StingrayException.invalidArgument("Invalid placement group id of " + size + " bytes: a placement group id has "
                    + PLACEMENT_GROUP_ID_SIZE + " bytes");
        }
        if (spec.getBundlesCount() == 0) {
            throw StingrayException.invalidArgument("A placement group needs at least one bundle");
        }
        if (spec.getStrategy() == PlacementStrategy.UNRECOGNIZED) {
            throw StingrayException.invalidArgument("Unknown placement strategy; use PACK, SPREAD, STRICT_PACK or STRICT_SPREAD");
        }
        for (int i = 0; i < spec.getBundlesCount(); i++) {
            Map<String, Double> resources = spec.getBundles(i).getUnitResourcesMap();
            if (resources.isEmpty() || resources.values().stream().allMatch(v -> v == 0)) {
                throw StingrayException.invalidArgument("Bundle " + i + " is empty: every bundle needs a positive amount of some resource");
            }
            for (var r : resources.entrySet()) {
                if (r.getValue() < 0 || r.getValue().isNaN()) {
                    throw StingrayException.invalidArgument("Bundle " + i + " asks for " + r.getValue() + " of " + r.getKey()
                            + "; amounts must not be negative");
                }
            }
        }
    }

    private static String hex(ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }

    @Override
    public void close() {
        channels.close();
    }
}

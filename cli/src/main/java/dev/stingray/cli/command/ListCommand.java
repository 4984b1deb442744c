package dev.stingray.cli.command;

import dev.stingray.common.discovery.ServiceRecord;
import dev.stingray.common.discovery.ServiceRegistry;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.id.JobId;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.ActorTableData;
import dev.stingray.proto.Bundle;
import dev.stingray.proto.GetAllPlacementGroupRequest;
import dev.stingray.proto.PlacementGroupTableData;
import dev.stingray.proto.GetAllActorInfoRequest;
import java.util.HexFormat;
import dev.stingray.proto.JobTableData;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stingray list nodes|services|jobs|actors|placement-groups} (Ray: {@code ray list}). */
@Command(name = "list", description = "List nodes, services (the discovery registry), jobs, actors or placement groups.")
public final class ListCommand implements Callable<Integer> {

    /** What to list. */
    public enum What {
        nodes, services, jobs, actors, placement_groups;

        @Override
        public String toString() {
            return name().replace('_', '-');
        }
    }

    /** Accepts Ray's spelling {@code placement-groups}. */
    static final class WhatConverter implements picocli.CommandLine.ITypeConverter<What> {
        @Override
        public What convert(String value) {
            try {
                return What.valueOf(value.replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not one of "
                        + java.util.Arrays.toString(What.values()));
            }
        }
    }

    /** The values as users type them. */
    static final class WhatCandidates extends java.util.ArrayList<String> {
        WhatCandidates() {
            for (What w : What.values()) {
                add(w.toString());
            }
        }
    }

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Parameters(index = "0", description = "One of: ${COMPLETION-CANDIDATES}.", converter = WhatConverter.class,
            completionCandidates = WhatCandidates.class)
    What what;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (GcsClient gcs = cluster.connect()) {
            switch (what) {
                case nodes -> {
                    out.printf("%-56s  %-5s  %-15s  %-5s  %-4s  %s%n", "NODE_ID", "STATE", "IP", "PORT", "HEAD", "RESOURCES / DEATH");
                    for (GcsNodeInfo n : gcs.getAllNodeInfo()) {
                        String detail = n.getState() == GcsNodeInfo.GcsNodeState.ALIVE
                                ? new TreeMap<>(n.getResourcesTotalMap()).toString()
                                : n.getDeathInfo().getReason() + ": " + n.getDeathInfo().getReasonMessage();
                        out.printf("%-56s  %-5s  %-15s  %-5d  %-4s  %s%n", NodeId.fromBytes(n.getNodeId()).hex(), n.getState(),
                                n.getNodeManagerAddress(), n.getNodeManagerPort(), n.getIsHeadNode() ? "yes" : "no", detail);
                    }
                }
                case services -> {
                    out.printf("%-18s  %-56s  %-15s  %-32s  %-8s  %s%n", "SERVICE", "NODE_ID", "HOST", "PORTS", "PID", "VERSION");
                    for (ServiceRecord r : new ServiceRegistry(gcs).list("").stream()
                            .sorted(Comparator.comparing(ServiceRecord::service).thenComparing(ServiceRecord::nodeId)).toList()) {
                        out.printf("%-18s  %-56s  %-15s  %-32s  %-8d  %s%n", r.service(), r.nodeId(), r.host(),
                                new TreeMap<>(r.ports()), r.pid(), r.version());
                    }
                }
                case actors -> {
                    // Ray's `ray list actors` columns.
                    out.printf("%-32s  %-30s  %-20s  %-8s  %-24s  %-16s  %-8s  %s%n", "ACTOR_ID", "CLASS_NAME", "STATE", "JOB_ID", "NAME",
                            "NODE_ID", "PID", "RAY_NAMESPACE");
                    for (ActorTableData a : gcs.actors().getAllActorInfo(GetAllActorInfoRequest.getDefaultInstance()).getActorTableDataList()) {
                        String node = a.getNodeId().isEmpty() ? "" : NodeId.fromBytes(a.getNodeId()).hex().substring(0, 16);
                        String state = a.getState() == ActorTableData.ActorState.DEAD
                                ? "DEAD (" + a.getDeathCause().getReason() + ")" : a.getState().name();
                        out.printf("%-32s  %-30s  %-20s  %-8s  %-24s  %-16s  %-8s  %s%n", HexFormat.of().formatHex(a.getActorId().toByteArray()),
                                a.getClassName(), state, HexFormat.of().formatHex(a.getJobId().toByteArray()), a.getName(), node,
                                a.getPid() == 0 ? "" : Integer.toString(a.getPid()), a.getRayNamespace());
                    }
                }
                case placement_groups -> {
                    // Ray's `ray list placement-groups` columns, with the bundles' nodes.
                    out.printf("%-36s  %-20s  %-14s  %-8s  %-13s  %s%n", "PLACEMENT_GROUP_ID", "NAME", "CREATOR_JOB_ID", "STATE",
                            "STRATEGY", "BUNDLES");
                    for (PlacementGroupTableData g : gcs.placementGroups().getAllPlacementGroup(GetAllPlacementGroupRequest.getDefaultInstance())
                            .getPlacementGroupTableDataList()) {
                        StringBuilder bundles = new StringBuilder();
                        for (Bundle b : g.getBundlesList()) {
                            bundles.append(bundles.isEmpty() ? "" : " ").append(b.getBundleId().getBundleIndex()).append(':')
                                    .append(new TreeMap<>(b.getUnitResourcesMap())).append('@')
                                    .append(b.getNodeId().isEmpty() ? "-" : NodeId.fromBytes(b.getNodeId()).hex().substring(0, 8));
                        }
                        String state = g.getStateMessage().isEmpty() ? g.getState().name() : g.getState() + " (" + g.getStateMessage() + ")";
                        out.printf("%-36s  %-20s  %-14s  %-8s  %-13s  %s%n", HexFormat.of().formatHex(g.getPlacementGroupId().toByteArray()),
                                g.getName(), HexFormat.of().formatHex(g.getCreatorJobId().toByteArray()), state, g.getStrategy(), bundles);
                    }
                }
                case jobs -> {
                    out.printf("%-8s  %-9s  %-10s  %-15s  %s%n", "JOB_ID", "STATUS", "DRIVER_PID", "DRIVER_IP", "ENTRYPOINT");
                    for (JobTableData j : gcs.getAllJobInfo()) {
                        out.printf("%-8s  %-9s  %-10d  %-15s  %s%n", new JobId(j.getJobId()).hex(), j.getIsDead() ? "FINISHED" : "RUNNING",
                                j.getDriverPid(), j.getDriverIpAddress(), j.getEntrypoint());
                    }
                }
            }
        }
        out.flush();
        return 0;
    }
}

package dev.stingray.cli.command;

import dev.stingray.common.gcs.GcsClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stingray kv get|put|del|list} on the GCS internal KV (Ray: {@code ray kv}). */
@Command(name = "kv", description = "Read and write the cluster's internal key-value store.",
        subcommands = {KvCommand.Get.class, KvCommand.Put.class, KvCommand.Del.class, KvCommand.ListKeys.class})
public final class KvCommand {

    /** Options of every kv subcommand. */
    static class KvOptions {
        @Mixin
        ClusterOptions cluster;

        @Option(names = {"-n", "--namespace"}, defaultValue = "", description = "KV namespace (default: empty).")
        String namespace;
    }

    @Command(name = "get", description = "Print the value of a key.")
    static final class Get extends KvOptions implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0")
        String key;

        @Override
        public Integer call() {
            try (GcsClient gcs = cluster.connect()) {
                String value = gcs.kvGetString(namespace, key).orElseThrow(() -> new IllegalArgumentException(
                        "Key '" + key + "' not found in namespace '" + namespace + "'"));
                spec.commandLine().getOut().println(value);
                return 0;
            }
        }
    }

    @Command(name = "put", description = "Store a value (overwrites unless --no-overwrite).")
    static final class Put extends KvOptions implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0")
        String key;

        @Parameters(index = "1")
        String value;

        @Option(names = "--no-overwrite", description = "Keep an existing value.")
        boolean noOverwrite;

        @Override
        public Integer call() {
            try (GcsClient gcs = cluster.connect()) {
                boolean added = gcs.kvPut(namespace, key, value, !noOverwrite);
                spec.commandLine().getOut().println(added ? "added" : (noOverwrite ? "exists (kept)" : "updated"));
                return 0;
            }
        }
    }

    @Command(name = "del", description = "Delete a key (or every key with a prefix).")
    static final class Del extends KvOptions implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0")
        String key;

        @Option(names = "--prefix", description = "Delete every key starting with KEY.")
        boolean prefix;

        @Override
        public Integer call() {
            try (GcsClient gcs = cluster.connect()) {
                spec.commandLine().getOut().println("deleted " + gcs.kvDel(namespace, key, prefix));
                return 0;
            }
        }
    }

    @Command(name = "list", description = "List keys with a prefix.")
    static final class ListKeys extends KvOptions implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", defaultValue = "", arity = "0..1")
        String prefix;

        @Override
        public Integer call() {
            try (GcsClient gcs = cluster.connect()) {
                PrintWriter out = spec.commandLine().getOut();
                gcs.kvKeys(namespace, prefix).stream().sorted().forEach(out::println);
                out.flush();
                return 0;
            }
        }
    }
}

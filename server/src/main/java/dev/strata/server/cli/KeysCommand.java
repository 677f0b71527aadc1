package dev.strata.server.cli;

import dev.strata.server.admin.KeyAdmin;
import dev.strata.server.auth.KeyMaker;
import dev.strata.server.store.Database;
import dev.strata.server.store.JdbcTenantStore;
import dev.strata.server.tenant.ApiKey;
import dev.strata.server.tenant.Quota;
import dev.strata.server.tenant.Tenant;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata keys create|list|rotate|revoke}: API keys in the same store a server uses
 * ({@code --data-dir}, or {@code --database-url} for PostgreSQL). A running server sees changes
 * within its key cache time (half a second by default).
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create, list, rotate and revoke API keys.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Rotate.class,
            KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the store is; shared by the subcommands. */
    static final class StoreOptions {
        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Directory of strata.db (default: $STRATA_DATA_DIR or ~/.strata).")
        Path dataDir;

        @Option(names = "--database-url", paramLabel = "URL",
                description = "A jdbc:postgresql: URL instead of the local file (default: $STRATA_POSTGRES_URL).")
        String databaseUrl;

        Database open() {
            String url = databaseUrl != null ? databaseUrl : System.getenv("STRATA_POSTGRES_URL");
            if (url != null && !url.isBlank()) {
                return Database.open(url, null, null);
            }
            return Database.sqlite(DataDir.resolve(dataDir, System.getenv()));
        }
    }

    private static KeyAdmin admin(Database db) {
        return new KeyAdmin(new JdbcTenantStore(db), new KeyMaker(new SecureRandom()), Clock.systemUTC());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a key for a tenant (created if new) and print it once.")
    static final class Create implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Option(names = "--tenant", required = true, description = "The tenant the key belongs to.")
        String tenant;

        @Option(names = "--rpm", description = "Requests per minute for this key.")
        Integer rpm;

        @Option(names = "--tpm", description = "Tokens per minute for this key.")
        Integer tpm;

        @Option(names = "--max-concurrent", description = "Requests in flight at once for this key.")
        Integer maxConcurrent;

        @Option(names = "--models", split = ",", description = "Models this key may call (comma-separated).")
        List<String> models;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Quota quota;
            try {
                Tenant.named(tenant);
                quota = new Quota(rpm, tpm, maxConcurrent, null, models == null ? null : new LinkedHashSet<>(models),
                        null, null, null, null, null);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), ExitCodes.BAD_INPUT);
            }
            try (Database db = store.open()) {
                KeyMaker.NewKey made = admin(db).createKey(tenant, quota);
                PrintWriter out = spec.commandLine().getOut();
                out.println(made.text());
                spec.commandLine().getErr().printf("created key %s for tenant %s; it is shown only once, store it"
                        + " now%n", made.key().id(), tenant);
                out.flush();
                spec.commandLine().getErr().flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never their secrets).")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Option(names = "--tenant", description = "Only this tenant's keys.")
        String tenant;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Database db = store.open()) {
                List<ApiKey> keys = admin(db).keys(tenant);
                out.printf("%-14s %-20s %-8s %-24s %s%n", "ID", "TENANT", "STATUS", "CREATED", "LIMITS");
                for (ApiKey k : keys) {
                    out.printf("%-14s %-20s %-8s %-24s %s%n", k.id(), k.tenant(), k.revoked() ? "revoked" : "active",
                            k.createdAt(), limits(k.quota()));
                }
            }
            out.flush();
            return ExitCodes.OK;
        }

        private static String limits(Quota q) {
            StringBuilder sb = new StringBuilder();
            Optional.ofNullable(q.requestsPerMinute()).ifPresent(v -> sb.append("rpm=").append(v).append(' '));
            Optional.ofNullable(q.tokensPerMinute()).ifPresent(v -> sb.append("tpm=").append(v).append(' '));
            Optional.ofNullable(q.maxConcurrent()).ifPresent(v -> sb.append("concurrent=").append(v).append(' '));
            if (!q.models().isEmpty()) {
                sb.append("models=").append(String.join(",", q.models().stream().sorted().toList()));
            }
            return sb.isEmpty() ? "-" : sb.toString().strip();
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Replace a key with a new one (same tenant and limits), revoking the old; prints the new key.")
    static final class Rotate implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Parameters(paramLabel = "ID", description = "The key's id (see `strata keys list`).")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Database db = store.open()) {
                KeyMaker.NewKey made = admin(db).rotateKey(id).orElseThrow(() -> new CliException(
                        "no active key with id " + id, ExitCodes.BAD_INPUT));
                spec.commandLine().getOut().println(made.text());
                spec.commandLine().getOut().flush();
                spec.commandLine().getErr().printf("key %s revoked; new key %s%n", id, made.key().id());
                spec.commandLine().getErr().flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke keys by id.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Parameters(paramLabel = "ID", arity = "1..*", description = "Key ids.")
        String[] ids;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Database db = store.open()) {
                KeyAdmin admin = admin(db);
                for (String id : ids) {
                    if (!admin.revokeKey(id)) {
                        throw new CliException("no active key with id " + id
                                + (Arrays.asList(ids).indexOf(id) > 0 ? " (the keys before it were revoked)" : ""),
                                ExitCodes.BAD_INPUT);
                    }
                    spec.commandLine().getOut().println("revoked " + id);
                }
            }
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }
}

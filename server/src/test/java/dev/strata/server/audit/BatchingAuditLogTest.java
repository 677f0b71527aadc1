package dev.strata.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.auth.Caller;
import dev.strata.server.store.Database;
import dev.strata.server.store.StoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchingAuditLogTest {
    private static AuditRecord record(String id) {
        return new AuditRecord(id, Instant.parse("2026-11-23T12:00:00Z"), "acme", "k1", "POST /v1/chat/completions",
                "m", 200, 3, 2, 0.5, 7, 0, null, null, null, null, null);
    }

    /** A log that keeps what it is given in memory, and counts the batches. */
    private static class Memory implements AuditLog {
        final List<AuditRecord> stored = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger batches = new AtomicInteger();

        @Override
        public void append(AuditRecord record) {
            stored.add(record);
        }

        @Override
        public void appendAll(List<AuditRecord> records) {
            batches.incrementAndGet();
            stored.addAll(records);
        }

        @Override
        public List<AuditRecord> query(AuditQuery query) {
            return List.copyOf(stored);
        }

        @Override
        public double spentUsd(String tenant, Instant since) {
            return stored.stream().mapToDouble(AuditRecord::costUsd).sum();
        }
    }

    @Test
    void closeWritesEveryQueuedRecordToTheDatabase() {
        try (Database db = Database.open("jdbc:sqlite::memory:", null, null)) {
            JdbcAuditLog jdbc = new JdbcAuditLog(db);
            BatchingAuditLog log = new BatchingAuditLog(jdbc, 64, 16, 0, Thread.ofPlatform().factory());
            for (int i = 0; i < 1000; i++) {
                log.append(record("req-" + i)); // more than the queue holds: submitters wait for room
            }
            log.close();
            assertThat(jdbc.query(AuditQuery.all(2000))).hasSize(1000);
        }
    }

    @Test
    void readsSeeEveryRecordSubmittedBeforeThem() {
        Memory memory = new Memory();
        BatchingAuditLog log = new BatchingAuditLog(memory, 1024, 8, 0, Thread.ofPlatform().factory());
        try {
            for (int i = 0; i < 100; i++) {
                log.append(record("req-" + i));
            }
            assertThat(log.query(AuditQuery.all(1000))).hasSize(100);
            assertThat(log.spentUsd("acme", Instant.EPOCH)).isEqualTo(50.0);
            assertThat(memory.batches.get()).isBetween(13, 100); // at most 8 per batch
        } finally {
            log.close();
        }
    }

    @Test
    void withALingerRecordsThatArriveTogetherShareATransaction() {
        Memory memory = new Memory();
        BatchingAuditLog log = new BatchingAuditLog(memory, 1024, 512, 50_000_000L, Thread.ofPlatform().factory());
        try {
            for (int i = 0; i < 100; i++) {
                log.append(record("req-" + i));
            }
            assertThat(log.query(AuditQuery.all(1000))).hasSize(100);
            assertThat(memory.batches.get()).isLessThan(100);
        } finally {
            log.close();
        }
        assertThat(memory.stored).hasSize(100);
    }

    @Test
    void recordsAreBuiltOnTheWriterThreadWithTheirHashes() {
        Memory memory = new Memory();
        List<String> builtOn = Collections.synchronizedList(new ArrayList<>());
        BatchingAuditLog log = new BatchingAuditLog(memory, 16, 16, 0, Thread.ofPlatform().name("writer").factory());
        try {
            CallRecord call = new CallRecord("req-1", Instant.EPOCH, 0, Caller.ANONYMOUS);
            call.prompt("user:hi", 1);
            call.output("hello");
            log.submit(() -> {
                builtOn.add(Thread.currentThread().getName());
                return call.finish("POST /v1/chat/completions", 200, null, 0, 1_000_000);
            });
            log.flush();
            assertThat(builtOn).containsExactly("writer");
            assertThat(memory.stored).singleElement().satisfies(a -> {
                assertThat(a.promptSha256()).isEqualTo(sha256("user:hi"));
                assertThat(a.outputSha256()) // SHA-256 of "hello"
                        .isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
            });
        } finally {
            log.close();
        }
    }

    @Test
    void aBatchTheDatabaseRefusesIsStoredRecordByRecordLosingOnlyTheBadOne() {
        Memory memory = new Memory() {
            @Override
            public void appendAll(List<AuditRecord> records) {
                throw new StoreException("constraint failed", null);
            }

            @Override
            public void append(AuditRecord record) {
                if (record.requestId().equals("bad")) {
                    throw new StoreException("constraint failed", null);
                }
                super.append(record);
            }
        };
        BatchingAuditLog log = new BatchingAuditLog(memory, 16, 16, 0, Thread.ofPlatform().factory());
        log.append(record("a"));
        log.append(record("bad"));
        log.append(record("b"));
        log.close();
        assertThat(memory.stored).extracting(AuditRecord::requestId).containsExactly("a", "b");
    }

    @Test
    void aFullQueueMakesTheSubmitterWaitInsteadOfDroppingTheRecord() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Memory memory = new Memory() {
            @Override
            public void appendAll(List<AuditRecord> records) {
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.appendAll(records);
            }
        };
        BatchingAuditLog log = new BatchingAuditLog(memory, 1, 1, 0, Thread.ofPlatform().factory());
        log.append(record("1"));
        writing.await(); // the writer holds record 1
        log.append(record("2")); // fills the queue
        Thread third = Thread.ofPlatform().start(() -> log.append(record("3")));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (third.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(third.getState()).as("blocked on the full queue").isEqualTo(Thread.State.WAITING);
        assertThat(log.pending()).isEqualTo(1);
        release.countDown();
        third.join();
        log.close();
        assertThat(memory.stored).extracting(AuditRecord::requestId).containsExactly("1", "2", "3");
    }

    @Test
    void afterCloseRecordsAreWrittenAtOnce() {
        Memory memory = new Memory();
        BatchingAuditLog log = new BatchingAuditLog(memory, 16, 16, 0, Thread.ofPlatform().factory());
        log.close();
        log.append(record("late"));
        assertThat(memory.stored).extracting(AuditRecord::requestId).containsExactly("late");
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

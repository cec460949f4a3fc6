package org.spoollock.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.spoollock.lock.LockMethod;
import org.spoollock.lock.MailboxLock;
import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.posix.RecordLocks;

/** Run with -Dspoollock.classicRecordLocks=true: threads taking POSIX-only locks on one file must never overlap. */
public final class ClassicThreads {
    public static void main(String[] args) throws Exception {
        if (!RecordLocks.get().isClassic()) {
            System.out.println("not in classic mode");
            System.exit(2);
        }
        Path mbox = Path.of(args[0]);
        MailboxLockOptions posixOnly = MailboxLockOptions.defaults().withMethods(EnumSet.of(LockMethod.OFD));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            boolean writer = t % 2 == 0;
            fs.add(pool.submit(() -> {
                for (int i = 0; i < 30; i++) {
                    try (MailboxLock l = MailboxLock.acquire(mbox, writer ? MailboxLock.Mode.EXCLUSIVE : MailboxLock.Mode.SHARED,
                            Duration.ofSeconds(30), posixOnly)) {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        Thread.sleep(1);
                        inside.decrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        System.out.println("overlaps=" + overlaps.get());
    }
}

package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.GoroutineInfo;
import dev.jgo.spi.Traceback;
import dev.jgo.sync.Chan;
import dev.jgo.testapp.UserCode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Go's goroutine dump ({@link Traceback}): headers, the user's frames only, the dump in a DeadlockException. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GoroutineDumpTest {

    @Test
    void deadlockMessageIsFollowedByEveryGoroutinesDump() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            AtomicLong mainId = new AtomicLong();
            AtomicLong senderId = new AtomicLong();
            AtomicLong childId = new AtomicLong();
            DeadlockException e = assertThrows(
                    DeadlockException.class,
                    () -> rt.run(() -> {
                        mainId.set(Go.id());
                        Chan<Integer> never = Chan.make(0);
                        Chan<Integer> full = Chan.make(0);
                        senderId.set(Go.go(() -> UserCode.sendForever(full)).id());
                        childId.set(UserCode.startParked(Chan.make(0)).id());
                        return UserCode.receiveForever(never);
                    }));
            String msg = e.getMessage();
            assertTrue(msg.startsWith(DeadlockException.MESSAGE + "\n\n"), msg);
            String main = section(msg, mainId.get());
            assertTrue(main.startsWith("goroutine " + mainId.get() + " [chan receive]:\n"), main);
            assertTrue(main.contains(UserCode.class.getName() + ".receiveForever(...)\n"), main);
            assertTrue(main.contains("\tdev/jgo/testapp/UserCode.java:"), main);
            String sender = section(msg, senderId.get());
            assertTrue(sender.startsWith("goroutine " + senderId.get() + " [chan send]:\n"), sender);
            assertTrue(sender.contains(UserCode.class.getName() + ".sendForever(...)\n"), sender);
            String child = section(msg, childId.get());
            assertTrue(child.endsWith("\ncreated by " + UserCode.class.getName() + ".startParked\n"), child);
            assertTrue(
                    sender.contains("\ncreated by " + GoroutineDumpTest.class.getName()
                            + ".deadlockMessageIsFollowedByEveryGoroutinesDump\n"),
                    sender);
            for (String hidden : List.of(
                    "dev.jgo.core.internal.M.",
                    "dev.jgo.core.internal.Sched.",
                    "dev.jgo.core.internal.Schedule.",
                    "dev.jgo.core.internal.FindRunnable.",
                    "dev.jgo.core.internal.LockedM.",
                    "dev.jgo.core.internal.Syscall.",
                    "dev.jgo.core.internal.Ms.",
                    "dev.jgo.core.internal.Ready.",
                    "dev.jgo.core.internal.NewProc.",
                    "dev.jgo.core.internal.Netpoll.",
                    "dev.jgo.core.internal.Fatal.",
                    "jdk.internal.vm.",
                    "dev.jgo.spi.")) {
                assertFalse(msg.contains(hidden), "no " + hidden + " frames: " + msg);
            }
        }
    }

    /** The traceback of goroutine {@code id} in {@code dump}. */
    private static String section(String dump, long id) {
        int at = dump.indexOf("goroutine " + id + " [");
        assertTrue(at >= 0, "goroutine " + id + " in " + dump);
        int end = dump.indexOf("\n\n", at);
        return dump.substring(at, end < 0 ? dump.length() : end + 1);
    }

    private static StackTraceElement frame(String cls, String method) {
        return new StackTraceElement(cls, method, "F.java", 7);
    }

    @Test
    void internalFramesAreLeftOutAboveBetweenAndBelowAndMinutesShownFromOne() {
        List<StackTraceElement> stack = List.of(
                frame("jdk.internal.vm.Continuation", "yield"),
                frame("dev.jgo.core.internal.M", "park"),
                frame("dev.jgo.sync.Chan", "recv"),
                frame("com.example.App", "inner"),
                frame("dev.jgo.spi.Carrier", "current"),
                frame("dev.jgo.netpoll.internal.Poller", "await"),
                frame("com.example.App", "outer"),
                frame("dev.jgo.core.internal.Sched", "body"),
                frame("jdk.internal.vm.Continuation", "enter"));
        long now = System.nanoTime();
        StringBuilder sb = new StringBuilder();
        Traceback.goroutine(sb, info(7, stack, now - TimeUnit.SECONDS.toNanos(59)), now);
        assertEquals("""
                goroutine 7 [chan receive]:
                dev.jgo.sync.Chan.recv(...)
                \tdev/jgo/sync/F.java:7
                com.example.App.inner(...)
                \tcom/example/F.java:7
                com.example.App.outer(...)
                \tcom/example/F.java:7
                created by com.example.App in goroutine 1

                """, sb.toString());
        for (int[] m : new int[][] {{60, 1}, {119, 1}, {180, 3}}) {
            sb.setLength(0);
            Traceback.goroutine(sb, info(7, stack, now - TimeUnit.SECONDS.toNanos(m[0])), now);
            assertTrue(sb.toString().startsWith("goroutine 7 [chan receive, " + m[1] + " minutes]:\n"), sb.toString());
        }
        String old = System.getProperty(Traceback.PROPERTY);
        System.setProperty(Traceback.PROPERTY, "system");
        try {
            assertEquals(stack, Traceback.userFrames(stack), "jgo.traceback=system keeps them");
        } finally {
            if (old == null) {
                System.clearProperty(Traceback.PROPERTY);
            } else {
                System.setProperty(Traceback.PROPERTY, old);
            }
        }
    }

    private static GoroutineInfo info(long id, List<StackTraceElement> stack, long since) {
        return new GoroutineInfo(
                id,
                Goroutine.State.WAITING,
                WaitReason.CHAN_RECEIVE,
                since,
                Map.of(),
                stack,
                -1,
                1,
                "com.example.App",
                null);
    }
}

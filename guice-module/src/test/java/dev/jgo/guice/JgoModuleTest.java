package dev.jgo.guice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.util.Modules;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.PolicyControl;
import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class JgoModuleTest {

    private static long sum(GoRuntime rt) {
        return rt.run(() -> {
            AtomicLong acc = new AtomicLong();
            dev.jgo.sync.WaitGroup wg = new dev.jgo.sync.WaitGroup();
            for (int i = 0; i < 100; i++) {
                long v = i;
                wg.add(1);
                Go.go(() -> {
                    acc.addAndGet(v);
                    wg.done();
                });
            }
            wg.await();
            return acc.get();
        });
    }

    @Test
    void defaultsBuildOneRuntimeThatRunsGoroutines() {
        try (JgoModule jgo = new JgoModule()) {
            Injector inj = Guice.createInjector(jgo);
            GoRuntime rt = inj.getInstance(GoRuntime.class);
            assertSame(rt, inj.getInstance(GoRuntime.class), "a singleton");
            assertSame(rt, inj.getInstance(PolicyControl.class));
            PolicyControl pc = (PolicyControl) rt;
            assertSame(StealPolicy.go(), pc.stealPolicy());
            assertSame(SpinPolicy.go(), pc.spinPolicy());
            assertEquals(dev.jgo.spi.RuntimeConfig.defaultProcs(), rt.gomaxprocs());
            assertEquals(4950, sum(rt));
        }
    }

    @Test
    void runtimeHasTimersAndNetworkIo() throws Exception {
        try (JgoModule jgo = new JgoModule()) {
            GoRuntime rt = Guice.createInjector(jgo).getInstance(GoRuntime.class);
            String got = rt.run(() -> {
                dev.jgo.net.Listener ln = dev.jgo.net.Net.listen("127.0.0.1", 0);
                try {
                    Go.go(() -> {
                        try (dev.jgo.net.Conn c = ln.accept()) {
                            c.write(java.nio.ByteBuffer.wrap(
                                    "hi".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    Go.sleep(java.time.Duration.ofMillis(5)); // a timer of the runtime
                    try (dev.jgo.net.Conn c = dev.jgo.net.Net.dial("127.0.0.1", ln.port())) {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2);
                        while (b.hasRemaining() && c.read(b) >= 0) {}
                        return new String(b.array(), java.nio.charset.StandardCharsets.US_ASCII);
                    }
                } finally {
                    ln.close();
                }
            });
            assertEquals("hi", got);
        }
    }

    @Test
    void boundTimerFactoryIsUsed() {
        java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
        dev.jgo.spi.TimerQueueFactory heap = new dev.jgo.timer.internal.HeapTimerQueueFactory();
        dev.jgo.spi.TimerQueueFactory counting = new dev.jgo.spi.TimerQueueFactory() {
            @Override
            public String name() {
                return "counting";
            }

            @Override
            public dev.jgo.spi.TimerQueue create(int pid, dev.jgo.spi.TimerQueue.Host host) {
                created.incrementAndGet();
                return heap.create(pid, host);
            }
        };
        try (JgoModule jgo = new JgoModule()) {
            GoRuntime rt = Guice.createInjector(jgo, new AbstractModule() {
                        @Override
                        protected void configure() {
                            OptionalBinder.newOptionalBinder(binder(), dev.jgo.spi.TimerQueueFactory.class)
                                    .setBinding()
                                    .toInstance(counting);
                            OptionalBinder.newOptionalBinder(binder(), Key.get(Integer.class, JgoProcs.class))
                                    .setBinding()
                                    .toInstance(2);
                        }
                    })
                    .getInstance(GoRuntime.class);
            rt.run(() -> Go.sleep(java.time.Duration.ofMillis(2)));
            assertEquals(2, created.get(), "one timer queue per P from the bound factory");
        }
    }

    @Test
    void setBindingOverridesPoliciesAndProcs() {
        FairnessPolicy fair = FairnessPolicy.of("tight", 11, false, false, 1_000_000, 16);
        try (JgoModule jgo = new JgoModule()) {
            Injector inj = Guice.createInjector(jgo, new AbstractModule() {
                @Override
                protected void configure() {
                    OptionalBinder.newOptionalBinder(binder(), StealPolicy.class)
                            .setBinding()
                            .toInstance(StealPolicy.tokio());
                    OptionalBinder.newOptionalBinder(binder(), FairnessPolicy.class)
                            .setBinding()
                            .toInstance(fair);
                    OptionalBinder.newOptionalBinder(binder(), Key.get(Integer.class, JgoProcs.class))
                            .setBinding()
                            .toInstance(2);
                }
            });
            PolicyControl pc = inj.getInstance(PolicyControl.class);
            assertSame(StealPolicy.tokio(), pc.stealPolicy());
            assertSame(fair, pc.fairnessPolicy());
            assertEquals(2, inj.getInstance(GoRuntime.class).gomaxprocs());
            assertEquals(4950, sum(inj.getInstance(GoRuntime.class)));
        }
    }

    @Test
    void modulesOverrideReplacesAPolicy() {
        try (JgoModule jgo = new JgoModule()) {
            Injector inj = Guice.createInjector(Modules.override(jgo).with(new AbstractModule() {
                @Override
                protected void configure() {
                    bind(SpinPolicy.class).toInstance(SpinPolicy.goStrict());
                }
            }));
            assertSame(
                    SpinPolicy.goStrict(), inj.getInstance(PolicyControl.class).spinPolicy());
            assertEquals(4950, sum(inj.getInstance(GoRuntime.class)));
        }
    }

    @Test
    void closingTheModuleClosesTheRuntime() {
        JgoModule jgo = new JgoModule();
        GoRuntime rt = Guice.createInjector(jgo).getInstance(GoRuntime.class);
        assertEquals(1, (int) rt.run(() -> 1));
        jgo.close();
        assertThrows(IllegalStateException.class, () -> rt.run(() -> 1));
        jgo.close(); // idempotent
    }
}

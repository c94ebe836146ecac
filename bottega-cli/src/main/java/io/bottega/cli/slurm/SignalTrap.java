package io.bottega.cli.slurm;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Catches a POSIX signal ({@code INT}, {@code TERM}, {@code WINCH}, ...) in this JVM, as {@code srun} and
 * {@code salloc} must (forward it to the tasks, restore the terminal). The JDK has no public API for this; the
 * {@code sun.misc.Signal} class of the {@code jdk.unsupported} module does it, reached by reflection so that the
 * build's compiler does not warn about a proprietary API. Without it (another JVM), signals keep their default.
 */
final class SignalTrap {
    private SignalTrap() {}

    /** Runs {@code action} (on a JVM thread) whenever {@code name} arrives; false if it cannot be caught here. */
    static boolean on(String name, Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object sig = signal.getConstructor(String.class).newInstance(name);
            InvocationHandler h = (Object proxy, Method m, Object[] args) -> {
                switch (m.getName()) {
                    case "handle" -> action.run();
                    case "hashCode" -> {
                        return System.identityHashCode(proxy);
                    }
                    case "equals" -> {
                        return proxy == args[0];
                    }
                    case "toString" -> {
                        return "SignalTrap[" + name + "]";
                    }
                    default -> { }
                }
                return null;
            };
            Object proxy = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, h);
            signal.getMethod("handle", signal, handler).invoke(null, sig, proxy);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}

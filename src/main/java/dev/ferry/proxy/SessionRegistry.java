package dev.ferry.proxy;

import dev.ferry.config.HostPort;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Which sessions are attached to which node, so a change of master can cut or hold them all at once. */
final class SessionRegistry {
    private final Map<HostPort, Set<Session>> byNode = new ConcurrentHashMap<>();

    void add(Session s) {
        byNode.computeIfAbsent(s.node, n -> ConcurrentHashMap.newKeySet()).add(s);
    }

    void remove(Session s) {
        Set<Session> set = byNode.get(s.node);
        if (set != null) set.remove(s);
    }

    int cut(HostPort node) {
        Set<Session> set = byNode.get(node);
        if (set == null) return 0;
        int n = 0;
        for (Session s : set) {
            s.cut();
            s.nodeStats.sessionsCut.increment();
            n++;
        }
        return n;
    }

    void hold(HostPort node) {
        Set<Session> set = byNode.get(node);
        if (set != null) set.forEach(Session::hold);
    }

    void release(HostPort node) {
        Set<Session> set = byNode.get(node);
        if (set != null) set.forEach(Session::release);
    }

    int count(HostPort node) {
        Set<Session> set = byNode.get(node);
        return set == null ? 0 : set.size();
    }
}

package dev.ferry.resp;

import dev.ferry.config.HostPort;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's answer to {@code ROLE}. Redis 7.0 answers, on a master {@code [master, offset, [[ip, port,
 * offset], ...]]} (the replicas' fields are strings), on a replica {@code [slave, master-ip, master-port,
 * link-state, offset]}, on a Sentinel {@code [sentinel, [master-name, ...]]}. A value of the wrong type reads
 * as unknown (-1, null, left out); parsing never throws.
 */
public sealed interface RoleReply {

    /** The role as ROLE names it: {@code master}, {@code slave}, {@code sentinel}, another word, or {@code unknown}. */
    String word();

    /** Parses the reply to {@code ROLE}; an error reply, or anything but a non-empty array, is {@link Unexpected}. */
    static RoleReply parse(Object reply) {
        if (!(reply instanceof List<?> items) || items.isEmpty()) return new Unexpected(reply);
        String word = String.valueOf(items.get(0));
        return switch (word) {
            case "master" -> Master.of(items);
            case "slave", "replica" -> Replica.of(items);
            case "sentinel" -> Sentinel.of(items);
            default -> new Unknown(word);
        };
    }

    /**
     * @param offset   its replication offset, -1 when missing
     * @param replicas the replicas connected to it, as it lists them
     */
    record Master(long offset, List<ReplicaOffset> replicas) implements RoleReply {
        public Master {
            replicas = List.copyOf(replicas);
        }

        private static Master of(List<?> items) {
            long offset = items.size() > 1 ? ReplyValues.toLong(items.get(1)) : -1;
            List<ReplicaOffset> replicas = new ArrayList<>();
            if (items.size() > 2 && items.get(2) instanceof List<?> listed) {
                for (Object entry : listed) {
                    if (!(entry instanceof List<?> e) || e.size() < 2) continue;
                    HostPort address = ReplyValues.address(e.get(0), e.get(1));
                    if (address != null) replicas.add(new ReplicaOffset(address, e.size() > 2 ? ReplyValues.toLong(e.get(2)) : -1));
                }
            }
            return new Master(offset, replicas);
        }

        public List<HostPort> replicaAddresses() {
            return replicas.stream().map(ReplicaOffset::address).toList();
        }

        @Override
        public String word() {
            return "master";
        }
    }

    /** A replica as its master lists it: where it is and the offset it has acknowledged (-1 when missing). */
    record ReplicaOffset(HostPort address, long offset) {}

    /**
     * @param master    the master it replicates from, as it names it; null when the reply is short or malformed
     * @param linkState {@code connected} when the link is up, else e.g. {@code connect}, {@code connecting},
     *                  {@code sync}, {@code handshake}; null when the reply is short
     * @param offset    the offset it has processed, -1 when missing (Redis itself says -1 before the first sync)
     */
    record Replica(HostPort master, String linkState, long offset) implements RoleReply {
        private static Replica of(List<?> items) {
            // Fewer than five items: nothing in it can be trusted to be where ROLE puts it.
            if (items.size() < 5) return new Replica(null, null, -1);
            return new Replica(ReplyValues.address(items.get(1), items.get(2)), String.valueOf(items.get(3)),
                    ReplyValues.toLong(items.get(4)));
        }

        public boolean linkUp() {
            return "connected".equals(linkState);
        }

        @Override
        public String word() {
            return "slave";
        }
    }

    /** @param masterNames the names it monitors */
    record Sentinel(List<String> masterNames) implements RoleReply {
        public Sentinel {
            masterNames = List.copyOf(masterNames);
        }

        private static Sentinel of(List<?> items) {
            List<String> names = new ArrayList<>();
            if (items.size() > 1 && items.get(1) instanceof List<?> listed) {
                for (Object name : listed) if (name != null) names.add(String.valueOf(name));
            }
            return new Sentinel(names);
        }

        @Override
        public String word() {
            return "sentinel";
        }
    }

    /** A ROLE array whose first word is none of Redis's roles. */
    record Unknown(String word) implements RoleReply {}

    /** Not a ROLE array at all: an error reply, a string, null, an empty array. */
    record Unexpected(Object reply) implements RoleReply {
        @Override
        public String word() {
            return "unknown";
        }
    }
}

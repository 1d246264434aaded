package dev.ferry.drill;

import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.InfoFields;
import dev.ferry.resp.MasterAddressReply;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import dev.ferry.resp.RoleReply;
import dev.ferry.resp.SentinelFields;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The group behind the instances, as the drill asks it: the Sentinels' master, each node's role and INFO. */
final class DrillGroup {
    static final Duration LINK_TIMEOUT = Duration.ofSeconds(2);

    private final DrillPlan plan;

    DrillGroup(DrillPlan plan) {
        this.plan = plan;
    }

    /** The master every answering Sentinel names, when a majority answers and all name the same. */
    Optional<HostPort> agreedMaster() {
        Set<HostPort> named = new HashSet<>();
        int answered = 0;
        for (HostPort s : plan.sentinels()) {
            try (RedisLink l = RedisLink.open(s, plan.sentinelAuth(), LINK_TIMEOUT, null)) {
                HostPort master = MasterAddressReply.parse(l.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", plan.masterName()));
                if (master != null) {
                    named.add(master);
                    answered++;
                }
            } catch (IOException | RedisException | RuntimeException e) {
                // a silent Sentinel has no say
            }
        }
        if (named.size() != 1 || answered < plan.sentinels().size() / 2 + 1) return Optional.empty();
        return Optional.of(named.iterator().next());
    }

    /** True when an answering Sentinel flags its failover of the master as under way. */
    boolean failoverInProgress() {
        for (HostPort s : plan.sentinels()) {
            try (RedisLink l = RedisLink.open(s, plan.sentinelAuth(), LINK_TIMEOUT, null)) {
                if (SentinelFields.parse(l.call("SENTINEL", "MASTER", plan.masterName())).failoverInProgress()) return true;
            } catch (IOException | RedisException | RuntimeException e) {
                // a silent Sentinel has no say
            }
        }
        return false;
    }

    /** The replicas a node's ROLE lists as connected (empty for a replica or a node that does not answer). */
    List<HostPort> replicasOf(HostPort master) {
        try (RedisLink l = RedisLink.open(master, plan.redisAuth(), LINK_TIMEOUT, null)) {
            return RoleReply.parse(l.call("ROLE")) instanceof RoleReply.Master m ? m.replicaAddresses() : List.of();
        } catch (IOException | RedisException e) {
            return List.of();
        }
    }

    /** "master", "slave" (ROLE's words), "unknown" for a reply that is no ROLE, "down" when it does not answer. */
    String role(HostPort node) {
        try (RedisLink l = RedisLink.open(node, plan.redisAuth(), LINK_TIMEOUT, null)) {
            return RoleReply.parse(l.call("ROLE")).word();
        } catch (IOException | RedisException e) {
            return "down";
        }
    }

    Map<String, String> info(HostPort node, String section) {
        try (RedisLink l = RedisLink.open(node, plan.redisAuth(), LINK_TIMEOUT, null)) {
            return InfoFields.parse(l.call("INFO", section));
        } catch (IOException | RedisException e) {
            return Map.of();
        }
    }

    /** {@code SENTINEL FAILOVER <name>} on the first Sentinel that answers; a refusal stops the drill. */
    String sentinelFailover() throws DrillStopped {
        List<String> silent = new ArrayList<>();
        for (HostPort s : plan.sentinels()) {
            Object r;
            try (RedisLink l = RedisLink.open(s, plan.sentinelAuth(), LINK_TIMEOUT, null)) {
                r = l.call("SENTINEL", "FAILOVER", plan.masterName());
            } catch (IOException | RedisException e) {
                silent.add(s + ": " + e.getMessage());
                continue;
            }
            if (r instanceof ErrorReply e) throw DrillStopped.failure("Sentinel " + s + " refused SENTINEL FAILOVER " + plan.masterName() + ": " + e.message());
            return "SENTINEL FAILOVER " + plan.masterName() + " sent to " + s + ": " + r;
        }
        throw DrillStopped.failure("no Sentinel took SENTINEL FAILOVER: " + String.join("; ", silent));
    }
}

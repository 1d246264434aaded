package dev.ferry.proxy;

import static dev.ferry.proxy.Wire.A;
import static dev.ferry.proxy.Wire.B;
import static dev.ferry.proxy.Wire.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.ConnectionPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The data path's rules, on in-memory channels with scripted node replies: which connection each
 * command travels on, who answers what, and how a session lives through a change of master.
 */
class ClientSessionTest {

    // ---- 1. plain commands share one connection per identity

    @Test
    void plainCommandsOfTwoSessionsTravelOnOneConnectionAndEachGetsItsOwnReplies() {
        Wire w = new Wire().master(A);
        Wire.Client one = w.client();
        Wire.Client two = w.client();
        one.send("SET", "k", "1");
        two.send("GET", "k");
        Wire.Node n = w.only(A);
        assertThat(n.received()).isEqualTo(cmd("SET", "k", "1") + cmd("GET", "k"));
        n.reply("+OK\r\n$1\r\n1\r\n");
        assertThat(one.received()).isEqualTo("+OK\r\n");
        assertThat(two.received()).isEqualTo("$1\r\n1\r\n");
    }

    @Test
    void aReplyThatArrivesInPiecesReachesItsSessionWhole() {
        Wire w = new Wire().master(A);
        Wire.Client one = w.client();
        Wire.Client two = w.client();
        one.send("GET", "a");
        two.send("GET", "b");
        Wire.Node n = w.only(A);
        n.received();
        n.reply("$5\r\nhel");
        n.reply("lo\r\n$3\r\nb");
        n.reply("yz\r\n");
        assertThat(one.received()).isEqualTo("$5\r\nhello\r\n");
        assertThat(two.received()).isEqualTo("$3\r\nbyz\r\n");
    }

    @Test
    void aCommandStillArrivingIsNotSentUntilWholeSoNoOtherSessionsBytesCanSplitIt() {
        Wire w = new Wire().master(A);
        Wire.Client slow = w.client();
        Wire.Client fast = w.client();
        String set = cmd("SET", "k", "value");
        slow.sendRaw(set.substring(0, 10));
        fast.send("PING");
        Wire.Node n = w.only(A);
        assertThat(n.received()).isEqualTo(cmd("PING"));
        slow.sendRaw(set.substring(10));
        assertThat(n.received()).isEqualTo(set);
    }

    @Test
    void aSessionThatClosesWithRepliesOutstandingDoesNotDisturbTheOthers() {
        Wire w = new Wire().master(A);
        Wire.Client gone = w.client();
        Wire.Client stays = w.client();
        gone.send("GET", "a");
        stays.send("GET", "b");
        gone.close();
        Wire.Node n = w.only(A);
        n.reply("$1\r\na\r\n$1\r\nb\r\n");
        assertThat(stays.received()).isEqualTo("$1\r\nb\r\n");
        assertThat(n.open()).isTrue();
    }

    // ---- 2. identity: AUTH, SELECT, HELLO are Redis's to judge, on a connection of that identity

    @Test
    void aSelectMovesOnlyThatSessionToAConnectionOfItsDatabase() {
        Wire w = new Wire().master(A);
        Wire.Client five = w.client();
        Wire.Client zero = w.client();
        zero.send("GET", "k");
        Wire.Node db0 = w.only(A);
        db0.received();
        db0.reply("$-1\r\n");
        zero.received();

        five.send("SELECT", "5");
        Wire.Node db5 = w.connections(A).get(1);
        assertThat(db5.received()).as("the client's own SELECT decides the new connection").isEqualTo(cmd("SELECT", "5"));
        db5.reply("+OK\r\n");
        assertThat(five.received()).isEqualTo("+OK\r\n");

        five.send("SET", "k", "5");
        zero.send("GET", "k");
        assertThat(db5.received()).isEqualTo(cmd("SET", "k", "5"));
        assertThat(db0.received()).as("a session that never selected stays in db 0").isEqualTo(cmd("GET", "k"));
    }

    @Test
    void aWrongPasswordGetsRedissOwnErrorAndChangesNothing() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("AUTH", "app", "wrong");
        Wire.Node login = w.only(A);
        assertThat(login.received()).isEqualTo(cmd("AUTH", "app", "wrong"));
        login.reply("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
        assertThat(c.received()).isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
        assertThat(login.open()).as("a connection whose login failed never carries anything").isFalse();

        c.send("GET", "k");
        Wire.Node plain = w.connections(A).get(1);
        assertThat(plain.received()).as("still unauthenticated: no AUTH on its connection").isEqualTo(cmd("GET", "k"));
    }

    @Test
    void aProvedLoginOpensFurtherConnectionsOfThatUserAndNoOneElseRunsOnThem() {
        Wire w = new Wire().master(A);
        Wire.Client app = w.client();
        app.send("AUTH", "app", "pw");
        Wire.Node appConn = w.only(A);
        appConn.received();
        appConn.reply("+OK\r\n");
        assertThat(app.received()).isEqualTo("+OK\r\n");

        Wire.Client anonymous = w.client();
        anonymous.send("GET", "k");
        assertThat(w.connections(A)).as("an unauthenticated session gets a connection without AUTH").hasSize(2);
        assertThat(w.connections(A).get(1).received()).isEqualTo(cmd("GET", "k"));

        app.send("SELECT", "2");
        Wire.Node appDb2 = w.connections(A).get(2);
        assertThat(appDb2.received()).as("the proved login, then the client's SELECT")
                .isEqualTo(cmd("AUTH", "app", "pw"));
        appDb2.reply("+OK\r\n");
        assertThat(appDb2.received()).isEqualTo(cmd("SELECT", "2"));
    }

    @Test
    void helloWithSetnameNamesTheSessionNotTheSharedConnection() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("HELLO", "3", "SETNAME", "worker");
        Wire.Node n = w.only(A);
        assertThat(n.received()).isEqualTo(cmd("HELLO", "3"));
        n.reply("%1\r\n$5\r\nproto\r\n:3\r\n");
        assertThat(c.received()).isEqualTo("%1\r\n$5\r\nproto\r\n:3\r\n");
        c.send("CLIENT", "GETNAME");
        assertThat(c.received()).isEqualTo("$6\r\nworker\r\n");
    }

    @Test
    void clientSetnameAndGetnameAreAnsweredInTheirTurn() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.sendRaw(cmd("GET", "k") + cmd("CLIENT", "SETNAME", "w1") + cmd("CLIENT", "GETNAME"));
        assertThat(c.received()).as("nothing before the GET's reply").isEmpty();
        Wire.Node n = w.only(A);
        assertThat(n.received()).isEqualTo(cmd("GET", "k"));
        n.reply("$-1\r\n");
        assertThat(c.received()).isEqualTo("$-1\r\n+OK\r\n$2\r\nw1\r\n");
        c.send("CLIENT", "SETNAME", "has space");
        assertThat(c.received()).isEqualTo("-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    }

    @Test
    void quitIsAnsweredAfterEarlierRepliesAndClosesOnlyThatClient() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        Wire.Client other = w.client();
        c.sendRaw(cmd("GET", "k") + cmd("QUIT") + cmd("PING"));
        Wire.Node n = w.only(A);
        assertThat(n.received()).as("QUIT never reaches a shared connection").isEqualTo(cmd("GET", "k"));
        n.reply("$-1\r\n");
        assertThat(c.received()).isEqualTo("$-1\r\n+OK\r\n");
        assertThat(c.open()).isFalse();
        other.send("PING");
        assertThat(n.received()).isEqualTo(cmd("PING"));
    }

    // ---- 3. connection state: a connection of its own while it lasts

    @Test
    void aWholeTransactionInOneReadTravelsOnTheSharedConnectionInOnePiece() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        String tx = cmd("MULTI") + cmd("INCR", "n") + cmd("EXEC");
        c.sendRaw(tx);
        Wire.Node n = w.only(A);
        assertThat(n.received()).isEqualTo(tx);
        n.reply("+OK\r\n+QUEUED\r\n*1\r\n:1\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n+QUEUED\r\n*1\r\n:1\r\n");
    }

    @Test
    void aTransactionSentPieceByPieceHasAConnectionOfItsOwnUntilExec() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        Wire.Client other = w.client();
        other.send("PING");
        Wire.Node shared = w.only(A);
        shared.received();
        shared.reply("+PONG\r\n");
        other.received();

        c.send("MULTI");
        Wire.Node own = w.connections(A).get(1);
        assertThat(own.received()).isEqualTo(cmd("MULTI"));
        own.reply("+OK\r\n");
        c.send("INCR", "n");
        other.send("SET", "n", "100");
        assertThat(own.received()).isEqualTo(cmd("INCR", "n"));
        assertThat(shared.received()).as("another session's command never lands inside the transaction").isEqualTo(cmd("SET", "n", "100"));
        own.reply("+QUEUED\r\n");
        c.send("EXEC");
        assertThat(own.received()).isEqualTo(cmd("EXEC"));
        own.reply("*1\r\n:1\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n+QUEUED\r\n*1\r\n:1\r\n");

        c.send("GET", "n");
        assertThat(shared.received()).as("after EXEC the session is back on the shared connection").isEqualTo(cmd("GET", "n"));
    }

    @Test
    void aSelectInsideATransactionMovesTheSessionToThatDatabaseWhenExecRunsIt() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("MULTI");
        Wire.Node own = w.only(A);
        own.received();
        own.reply("+OK\r\n");
        c.send("SELECT", "5");
        own.received();
        own.reply("+QUEUED\r\n");
        c.send("EXEC");
        own.received();
        own.reply("*1\r\n+OK\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n");

        c.send("GET", "k");
        Wire.Node db5 = w.connections(A).get(1);
        assertThat(db5.received()).as("the session is in database 5 now, as directly").isEqualTo(cmd("SELECT", "5"));
        db5.reply("+OK\r\n");
        assertThat(db5.received()).isEqualTo(cmd("GET", "k"));
    }

    @Test
    void aBlockingPopBorrowsAConnectionThatTheNextOneReuses() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("BLPOP", "jobs", "0");
        Wire.Node lease = w.only(A);
        assertThat(lease.received()).isEqualTo(cmd("BLPOP", "jobs", "0"));
        lease.reply("*2\r\n$4\r\njobs\r\n$1\r\n1\r\n");
        assertThat(c.received()).isEqualTo("*2\r\n$4\r\njobs\r\n$1\r\n1\r\n");
        Wire.Client d = w.client();
        d.send("BRPOP", "jobs", "1");
        assertThat(w.connections(A)).as("no new connection for the next blocking command").hasSize(1);
        assertThat(lease.received()).isEqualTo(cmd("BRPOP", "jobs", "1"));
    }

    @Test
    void aBorrowedConnectionCarriesTheSessionsNameAndIsNamelessWhenGivenBack() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("CLIENT", "SETNAME", "lister");
        assertThat(c.received()).isEqualTo("+OK\r\n");
        c.send("CLIENT", "LIST");
        Wire.Node lease = w.only(A);
        assertThat(lease.received()).as("so CLIENT LIST shows the client's name").isEqualTo(cmd("CLIENT", "SETNAME", "lister"));
        lease.reply("+OK\r\n");
        assertThat(lease.received()).isEqualTo(cmd("CLIENT", "LIST"));
        lease.reply("$23\r\nid=7 name=lister cmd=x\n\r\n");
        assertThat(c.received()).isEqualTo("$23\r\nid=7 name=lister cmd=x\n\r\n");
        assertThat(lease.received()).isEqualTo(cmd("CLIENT", "SETNAME", ""));
    }

    @Test
    void aWaitRunsOnTheSessionsOwnConnectionAfterAMarkerWriteSoItCountsTheSessionsWrites() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("SET", "k", "v");
        Wire.Node shared = w.only(A);
        shared.received();
        shared.reply("+OK\r\n");
        c.send("WAIT", "1", "100");
        Wire.Node own = w.connections(A).get(1);
        assertThat(own.received()).isEqualTo(cmd("PUBLISH", "__ferry__:wait", "") + cmd("WAIT", "1", "100"));
        own.reply(":0\r\n:1\r\n");
        assertThat(c.received()).as("the marker's reply is Ferry's, not the client's").isEqualTo("+OK\r\n:1\r\n");
        c.send("SET", "k2", "v");
        assertThat(own.received()).as("from then on its writes and WAITs meet on one connection").isEqualTo(cmd("SET", "k2", "v"));
    }

    @Test
    void readsInFlightOnAConnectionThatClosesRunAgainWhileAWriteInFlightClosesItsSession() {
        Wire w = new Wire().master(A);
        Wire.Client reader = w.client();
        Wire.Client writer = w.client();
        reader.send("GET", "k");
        writer.send("INCR", "n");
        Wire.Node n = w.only(A);
        n.received();
        n.close();  // say, CLIENT KILL TYPE normal
        assertThat(writer.open()).as("whether INCR ran is unknown: the client must see it").isFalse();
        assertThat(reader.open()).isTrue();
        Wire.Node again = w.connections(A).get(1);
        assertThat(again.received()).isEqualTo(cmd("GET", "k"));
        again.reply("$1\r\nv\r\n");
        assertThat(reader.received()).isEqualTo("$1\r\nv\r\n");
    }

    @Test
    void aSubscriberGetsAConnectionOfItsOwnAndItsMessagesPassAsTheyCome() {
        Wire w = new Wire().master(A);
        Wire.Client sub = w.client();
        sub.send("SUBSCRIBE", "news");
        Wire.Node n = w.only(A);
        assertThat(n.received()).isEqualTo(cmd("SUBSCRIBE", "news"));
        n.reply("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
        n.reply("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
        assertThat(sub.received()).isEqualTo("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
    }

    @Test
    void bytesThatAreNotRespGoUnchangedOnAConnectionOfTheirOwnSoRedisAnswersThem() {
        Wire w = new Wire().master(A);
        Wire.Client bystander = w.client();
        bystander.send("PING");
        Wire.Client bad = w.client();
        bad.sendRaw("*abc\r\n");
        assertThat(w.connections(A)).hasSize(2);
        assertThat(w.connections(A).get(1).received()).isEqualTo("*abc\r\n");
        assertThat(w.connections(A).get(0).received()).isEqualTo(cmd("PING"));
    }

    @Test
    void inDedicatedModeEverySessionHasItsOwnConnectionAndItsCommandsPassAsSent() {
        Wire w = new Wire(ConnectionPolicy.DEDICATED).master(A);
        Wire.Client one = w.client();
        Wire.Client two = w.client();
        one.send("CLIENT", "SETNAME", "one");
        two.send("GET", "k");
        assertThat(w.connections(A)).hasSize(2);
        assertThat(w.connections(A).get(0).received()).isEqualTo(cmd("CLIENT", "SETNAME", "one"));
        assertThat(w.connections(A).get(1).received()).isEqualTo(cmd("GET", "k"));
    }

    @Test
    void inDedicatedModeACommandStreamedWhileArrivingIsSentOnceWhole() {
        Wire w = new Wire(ConnectionPolicy.DEDICATED).master(A);
        Wire.Client c = w.client();
        c.send("PING");
        Wire.Node n = w.only(A);
        assertThat(n.received()).isEqualTo(cmd("PING"));
        n.reply("+PONG\r\n");
        String value = "v".repeat(300);
        String big = cmd("SET", "k", value);
        String next = cmd("GET", "k");
        c.sendRaw(big.substring(0, 40));   // passes on as it comes
        c.sendRaw(big.substring(40, 200));
        c.sendRaw(big.substring(200) + next);  // the rest of it, and the next command, in one read
        assertThat(n.received()).as("every byte once, in order").isEqualTo(big + next);
        n.reply("+OK\r\n$300\r\n" + value + "\r\n");
        assertThat(c.received()).isEqualTo("+PONG\r\n+OK\r\n$300\r\n" + value + "\r\n");
        c.send("GET", "other");
        assertThat(n.received()).as("what follows starts where it starts").isEqualTo(cmd("GET", "other"));
    }

    @Test
    void inDedicatedModeASessionKeepsItsConnectionAcrossSelect() {
        Wire w = new Wire(ConnectionPolicy.DEDICATED).master(A);
        Wire.Client c = w.client();
        c.send("SELECT", "9");
        Wire.Node n = w.only(A);
        assertThat(n.received()).isEqualTo(cmd("SELECT", "9"));
        n.reply("+OK\r\n");
        c.send("PING");
        assertThat(n.received()).isEqualTo(cmd("PING"));
        n.reply("+PONG\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n+PONG\r\n");
    }

    @Test
    void aSessionWhoseOwnConnectionTheMasterClosesIsClosedTooWhenTheMasterTakesANewOne() {
        Wire w = new Wire(ConnectionPolicy.DEDICATED).master(A);
        Wire.Client c = w.client();
        c.send("PING");
        w.only(A).reply("+PONG\r\n");
        assertThat(c.received()).isEqualTo("+PONG\r\n");
        w.only(A).close();  // CLIENT KILL, or the master's idle timeout
        w.settle();
        assertThat(w.connections(A)).as("Ferry asks the master for a new connection at once").hasSize(2);
        assertThat(c.open()).as("the node is up and closed it for this client: closed, as directly").isFalse();
    }

    @Test
    void aSessionWhoseMasterWentAwayWithItsConnectionWaitsForTheNextMaster() {
        Wire w = new Wire(ConnectionPolicy.DEDICATED).master(A);
        Wire.Client c = w.client();
        c.send("PING");
        w.only(A).reply("+PONG\r\n");
        c.received();
        w.down(A);
        w.only(A).close();  // the process died
        w.settle();
        c.send("SET", "k", "v");
        assertThat(c.open()).isTrue();
        w.master(B);
        assertThat(w.only(B).received()).isEqualTo(cmd("SET", "k", "v"));
        w.only(B).reply("+OK\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n");
    }

    @Test
    void sparesOfASessionsIdentityWaitSetUpSoATransactionNeedsNoSelectWhileRedisIsBusy() {
        Wire w = new Wire();
        w.upstream.sparesPerIdentity = 2;
        w.master(A);
        Wire.Client c = w.client();
        c.send("SELECT", "9");
        assertThat(w.connections(A)).as("the shared connection of db 9 and two spares").hasSize(3);
        w.connections(A).get(0).received();
        w.connections(A).get(0).reply("+OK\r\n");
        for (Wire.Node spare : w.connections(A).subList(1, 3)) {
            assertThat(spare.received()).isEqualTo(cmd("SELECT", "9"));
            spare.reply("+OK\r\n");
        }
        assertThat(c.received()).isEqualTo("+OK\r\n");
        // Now a script runs and Redis answers SELECT with -BUSY: the transaction must not need one.
        c.send("MULTI");
        Wire.Node spare = w.connections(A).get(1);
        assertThat(spare.received()).as("a spare, set up already").isEqualTo(cmd("MULTI"));
        spare.reply("+OK\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n");
    }

    // ---- 4. a change of master

    @Test
    void anIdleSessionMovesToTheNewMasterWithItsIdentity() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("AUTH", "app", "pw");
        w.only(A).reply("+OK\r\n");
        c.send("SELECT", "3");
        Wire.Node db3 = w.connections(A).get(1);
        db3.received();
        db3.reply("+OK\r\n");
        db3.received();
        db3.reply("+OK\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n+OK\r\n");

        w.master(B, A);
        c.send("SET", "k", "v");
        Wire.Node onB = w.only(B);
        assertThat(onB.received()).as("the proved login and the database, set up before anything else")
                .isEqualTo(cmd("AUTH", "app", "pw") + cmd("SELECT", "3"));
        onB.reply("+OK\r\n+OK\r\n");
        assertThat(onB.received()).isEqualTo(cmd("SET", "k", "v"));
        onB.reply("+OK\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n");
        assertThat(w.router.nodeStats(A).sessionsMoved.sum()).isEqualTo(1);
    }

    @Test
    void aWriteTheDemotedMasterRefusesIsSentAgainToTheNewOneWithTheReadsBehindIt() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.sendRaw(cmd("SET", "a", "1") + cmd("GET", "a"));
        Wire.Node old = w.only(A);
        old.received();
        old.reply("-READONLY You can't write against a read only replica.\r\n$-1\r\n");
        assertThat(c.received()).as("nothing passed on while the refusal is settled").isEmpty();

        w.master(B, A);
        Wire.Node now = w.only(B);
        assertThat(now.received()).isEqualTo(cmd("SET", "a", "1") + cmd("GET", "a"));
        now.reply("+OK\r\n$1\r\n1\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n$1\r\n1\r\n");
        assertThat(w.router.nodeStats(A).commandsResent.sum()).isEqualTo(2);
    }

    @Test
    void aRefusalSplitAcrossReadsIsStillRecognised() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("SET", "a", "1");
        Wire.Node old = w.only(A);
        old.received();
        old.reply("-READON");
        old.reply("LY You can't write against a read only replica.\r\n");
        w.master(B, A);
        assertThat(w.only(B).received()).isEqualTo(cmd("SET", "a", "1"));
        assertThat(c.received()).isEmpty();
    }

    @Test
    void aRefusalWhileTheRouterStillNamesTheNodeIsPassedOnAfterMoveTimeout() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("SET", "a", "1");
        Wire.Node n = w.only(A);
        n.received();
        n.reply("-READONLY You can't write against a read only replica.\r\n");
        assertThat(c.received()).isEmpty();
        w.advance(Duration.ofSeconds(6));
        assertThat(c.received()).isEqualTo("-READONLY You can't write against a read only replica.\r\n");
        assertThat(c.open()).isTrue();
    }

    @Test
    void withOneStaticServerARefusalPassesStraightOnAsItWouldDirectly() {
        Wire w = new Wire().sole(A);
        Wire.Client c = w.client();
        c.send("SET", "a", "1");
        Wire.Node n = w.only(A);
        n.received();
        n.reply("-READONLY You can't write against a read only replica.\r\n");
        assertThat(c.received()).as("nowhere else to send it").isEqualTo("-READONLY You can't write against a read only replica.\r\n");
    }

    @Test
    void aBlockedPopUnblockedByTheDemotionWaitsOnTheNewMaster() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("BLPOP", "jobs", "0");
        Wire.Node old = w.only(A);
        old.received();
        old.reply("-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n");
        old.close();
        w.master(B, A);
        assertThat(w.only(B).received()).isEqualTo(cmd("BLPOP", "jobs", "0"));
        assertThat(c.received()).isEmpty();
    }

    @Test
    void aSessionWithAWriteInFlightToAMasterThatMayStillAcknowledgeItIsClosed() {
        Wire w = new Wire().master(A);
        Wire.Client inFlight = w.client();
        Wire.Client idle = w.client();
        inFlight.send("SET", "a", "1");
        w.master(B);  // A did not answer as a replica: it may still acknowledge the write
        assertThat(inFlight.open()).isFalse();
        assertThat(idle.open()).isTrue();
        assertThat(w.router.nodeStats(A).sessionsCut.sum()).isEqualTo(1);
    }

    @Test
    void repliesStillDueFromADemotedMasterArePassedOnThenTheSessionMoves() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("SET", "a", "1");
        Wire.Node old = w.only(A);
        old.received();
        w.master(B, A);
        c.send("GET", "a");
        assertThat(w.connections(B)).as("nothing new goes anywhere before the old replies are in").isEmpty();
        old.reply("+OK\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n");
        assertThat(w.only(B).received()).isEqualTo(cmd("GET", "a"));
    }

    @Test
    void noClientByteReachesAMasterAfterTheRouterMovedOn() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("PING");
        Wire.Node old = w.only(A);
        old.received();
        old.reply("+PONG\r\n");
        w.master(B, A);
        c.send("SET", "x", "1");
        assertThat(old.received()).isEmpty();
        assertThat(old.open()).as("a connection to the old master closes once nothing is due").isFalse();
        assertThat(w.only(B).received()).isEqualTo(cmd("SET", "x", "1"));
    }

    // ---- 5. connection state moves too

    @Test
    void aSubscriberIsSubscribedAgainOnTheNewMasterAndSeesNoSecondConfirmation() {
        Wire w = new Wire().master(A);
        Wire.Client sub = w.client();
        sub.send("SUBSCRIBE", "news", "fan");
        Wire.Node old = w.only(A);
        old.received();
        old.reply("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$3\r\nfan\r\n:2\r\n");
        sub.received();
        sub.send("PSUBSCRIBE", "n*");
        old.reply("*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n");
        assertThat(sub.received()).isEqualTo("*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n");

        w.master(B, A);
        Wire.Node now = w.only(B);
        assertThat(now.received()).isEqualTo(cmd("SUBSCRIBE", "news", "fan") + cmd("PSUBSCRIBE", "n*"));
        now.reply("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$3\r\nfan\r\n:2\r\n"
                + "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n");
        now.reply("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nafter\r\n");
        assertThat(sub.received()).as("no second confirmation; the messages published after the move")
                .isEqualTo("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nafter\r\n");
        assertThat(sub.open()).isTrue();
        assertThat(w.router.nodeStats(A).stateMoved.sum()).isEqualTo(1);
    }

    @Test
    void aMessageCutInTwoByTheMoveNeverReachesTheClientHalfWay() {
        Wire w = new Wire().master(A);
        Wire.Client sub = w.client();
        sub.send("SUBSCRIBE", "news");
        Wire.Node old = w.only(A);
        old.reply("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
        sub.received();
        old.reply("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhal");
        assertThat(sub.received()).isEmpty();
        w.master(B, A);
        Wire.Node now = w.only(B);
        now.reply("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$4\r\nnext\r\n");
        assertThat(sub.received()).isEqualTo("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$4\r\nnext\r\n");
    }

    @Test
    void aTransactionNotYetAtExecIsRunAgainOnTheNewMasterAsFarAsItGot() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("MULTI");
        Wire.Node old = w.only(A);
        old.reply("+OK\r\n");
        c.send("SET", "k", "v");
        old.reply("+QUEUED\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n+QUEUED\r\n");

        w.master(B);  // not even demoted: nothing of a transaction without EXEC has run
        assertThat(c.open()).isTrue();
        Wire.Node now = w.only(B);
        assertThat(now.received()).as("set up again before anything else").isEqualTo(cmd("MULTI") + cmd("SET", "k", "v"));
        now.reply("+OK\r\n+QUEUED\r\n");
        c.send("EXEC");
        assertThat(now.received()).isEqualTo(cmd("EXEC"));
        now.reply("*1\r\n+OK\r\n");
        assertThat(c.received()).as("the replies it would have seen, once each").isEqualTo("*1\r\n+OK\r\n");
    }

    @Test
    void anExecTheDemotedMasterRefusedRunsAgainWithItsWholeTransaction() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("MULTI");
        Wire.Node old = w.only(A);
        old.reply("+OK\r\n");
        c.send("INCR", "n");
        old.reply("+QUEUED\r\n");
        c.send("EXEC");
        old.received();
        old.reply("-EXECABORT Transaction contains write commands but instance is now a read-only replica. EXEC aborted.\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n+QUEUED\r\n");

        w.master(B, A);
        Wire.Node now = w.only(B);
        assertThat(now.received()).as("what the client already had answered, set up again").isEqualTo(cmd("MULTI") + cmd("INCR", "n"));
        now.reply("+OK\r\n+QUEUED\r\n");
        assertThat(now.received()).isEqualTo(cmd("EXEC"));
        now.reply("*1\r\n:1\r\n");
        assertThat(c.received()).isEqualTo("*1\r\n:1\r\n");
    }

    @Test
    void aWholeTransactionRefusedOnTheSharedConnectionRunsAgainOnTheNewMaster() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.sendRaw(cmd("MULTI") + cmd("INCR", "n") + cmd("EXEC"));
        Wire.Node old = w.only(A);
        old.received();
        old.reply("+OK\r\n-READONLY You can't write against a read only replica.\r\n"
                + "-EXECABORT Transaction discarded because of previous errors.\r\n");
        assertThat(c.received()).as("MULTI's +OK; the rest is held").isEqualTo("+OK\r\n");

        w.master(B, A);
        Wire.Node now = w.only(B);
        assertThat(now.received()).as("MULTI, answered already, set up again").isEqualTo(cmd("MULTI"));
        now.reply("+OK\r\n");
        assertThat(now.received()).isEqualTo(cmd("INCR", "n") + cmd("EXEC"));
        now.reply("+QUEUED\r\n*1\r\n:1\r\n");
        assertThat(c.received()).isEqualTo("+QUEUED\r\n*1\r\n:1\r\n");
    }

    @Test
    void anExecInFlightToAMasterThatMayStillRunItClosesTheSession() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.sendRaw(cmd("MULTI") + cmd("INCR", "n") + cmd("EXEC"));
        w.only(A).received();
        w.master(B);  // A did not answer as a replica: whether EXEC ran there is unknown
        assertThat(c.open()).isFalse();
    }

    @Test
    void aWatchThatCouldNotMoveMakesTheNextExecAnAbortedOneNeverRun() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("WATCH", "k");
        Wire.Node old = w.only(A);
        old.reply("+OK\r\n");
        assertThat(c.received()).isEqualTo("+OK\r\n");

        w.master(B, A);
        c.sendRaw(cmd("MULTI") + cmd("SET", "k", "v") + cmd("EXEC"));
        Wire.Node now = w.only(B);
        assertThat(now.received()).as("no WATCH on the new master, and no EXEC either").isEqualTo(cmd("MULTI") + cmd("SET", "k", "v") + cmd("DISCARD"));
        now.reply("+OK\r\n+QUEUED\r\n+OK\r\n");
        assertThat(c.received()).as("Redis's answer when a watched key changed").isEqualTo("+OK\r\n+QUEUED\r\n*-1\r\n");
        String tx = cmd("MULTI") + cmd("SET", "k", "v") + cmd("EXEC");
        c.sendRaw(tx);
        assertThat(w.connections(B).get(1).received()).as("the next transaction runs as usual, on the shared connection").isEqualTo(tx);
    }

    @Test
    void trackingIsTurnedOnAgainAndTheClientToldToDropItsWholeCache() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("HELLO", "3");
        w.only(A).reply("%1\r\n$5\r\nproto\r\n:3\r\n");
        c.send("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:");
        Wire.Node own = w.connections(A).get(1);
        assertThat(own.received()).isEqualTo(cmd("HELLO", "3"));
        own.reply("%1\r\n$5\r\nproto\r\n:3\r\n");
        assertThat(own.received()).isEqualTo(cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:"));
        own.reply("+OK\r\n");
        assertThat(c.received()).isEqualTo("%1\r\n$5\r\nproto\r\n:3\r\n+OK\r\n");

        w.master(B, A);
        assertThat(c.received()).as("the flush form of invalidate").isEqualTo(">2\r\n$10\r\ninvalidate\r\n_\r\n");
        c.send("GET", "user:1");
        Wire.Node now = w.only(B);
        assertThat(now.received()).isEqualTo(cmd("HELLO", "3") + cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:"));
        now.reply("%1\r\n$5\r\nproto\r\n:3\r\n+OK\r\n");
        assertThat(now.received()).isEqualTo(cmd("GET", "user:1"));
    }

    @Test
    void monitorIsIssuedAgainOnTheNewMaster() {
        Wire w = new Wire().master(A);
        Wire.Client m = w.client();
        m.send("MONITOR");
        w.only(A).reply("+OK\r\n+1700000000.000000 [0 127.0.0.1:1] \"PING\"\r\n");
        assertThat(m.received()).isEqualTo("+OK\r\n+1700000000.000000 [0 127.0.0.1:1] \"PING\"\r\n");
        w.master(B, A);
        Wire.Node now = w.only(B);
        assertThat(now.received()).isEqualTo(cmd("MONITOR"));
        now.reply("+OK\r\n+1700000001.000000 [0 127.0.0.1:2] \"GET\" \"k\"\r\n");
        assertThat(m.received()).isEqualTo("+1700000001.000000 [0 127.0.0.1:2] \"GET\" \"k\"\r\n");
    }

    @Test
    void resetEndsAStreamAndTheSessionIsBackOnTheSharedConnection() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("SUBSCRIBE", "news");
        w.only(A).reply("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
        c.received();
        c.send("RESET");
        assertThat(c.received()).isEqualTo("+RESET\r\n");
        assertThat(w.only(A).open()).as("its own connection, with its subscription, is gone").isFalse();
        c.send("GET", "k");
        assertThat(w.connections(A).get(1).received()).isEqualTo(cmd("GET", "k"));
    }

    // ---- 6. waiting for a master

    @Test
    void commandsWaitWhileNoMasterIsKnownAndGoAsSoonAsOneIs() {
        Wire w = new Wire();
        Wire.Client c = w.client();
        c.send("SET", "k", "v");
        assertThat(w.router.stats().waitingNow.sum()).isEqualTo(1);
        w.master(A);
        assertThat(w.only(A).received()).isEqualTo(cmd("SET", "k", "v"));
        assertThat(w.router.stats().waitingNow.sum()).isZero();
    }

    @Test
    void commandsThatWaitPastWaitForMasterGetMasterdownAndTheSessionStays() {
        Wire w = new Wire();
        Wire.Client c = w.client();
        c.sendRaw(cmd("SET", "k", "v") + cmd("GET", "k"));
        w.advance(Duration.ofSeconds(6));
        String masterDown = "-MASTERDOWN Ferry: no master known for 'orders' after 5000 ms\r\n";
        assertThat(c.received()).isEqualTo(masterDown + masterDown);
        assertThat(c.open()).isTrue();
        assertThat(w.router.stats().waitTimeouts.sum()).isEqualTo(2);
        assertThat(w.router.stats().waitingNow.sum()).isZero();
        w.master(A);
        c.send("PING");
        assertThat(w.only(A).received()).isEqualTo(cmd("PING"));
    }

    // ---- 7. one client cannot hurt the others

    @Test
    void anUnauthenticatedSessionsLongCommandGoesOnAConnectionOfItsOwn() {
        Wire w = new Wire().master(A);
        Wire.Client bystander = w.client();
        bystander.send("PING");
        Wire.Client c = w.client();
        String[] many = new String[12];
        many[0] = "MSET";
        for (int i = 1; i < many.length; i++) many[i] = "x";
        c.send(many);
        // Redis closes an unauthenticated connection that sends more than 10 arguments, when AUTH is required:
        // that must not be the connection other sessions share.
        assertThat(w.connections(A)).hasSize(2);
        assertThat(w.connections(A).get(0).received()).isEqualTo(cmd("PING"));
    }

    @Test
    void aPushOnASharedConnectionIsDroppedAndRepliesStillLineUp() {
        Wire w = new Wire().master(A);
        Wire.Client c = w.client();
        c.send("GET", "k");
        Wire.Node n = w.only(A);
        n.received();
        n.reply(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n$1\r\nv\r\n");
        assertThat(c.received()).isEqualTo("$1\r\nv\r\n");
        assertThat(w.router.stats().pushesDropped.sum()).isEqualTo(1);
    }
}

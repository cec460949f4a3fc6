package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.spoollock.lmtp.Listen;
import org.spoollock.lmtp.LmtpClient;
import org.spoollock.lmtp.LmtpConfig;
import org.spoollock.lmtp.LmtpServer;
import org.spoollock.lmtp.Users;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.Drivers;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

/**
 * The LMTP service on a full disk (a 160 KB tmpfs): deliveries are acknowledged until the disk fills,
 * then answered 452 4.2.2 with the reason, and the mailbox holds exactly the acknowledged messages,
 * each whole: nothing partial from the refused ones.
 */
class LmtpNoSpaceIT {
    @Test
    void aFullDiskIsATemporaryFailureAndLeavesOnlyWholeAcknowledgedMessages() throws Exception {
        Peers.withTmpfs("160k", dir -> {
            StoreOptions store = StoreOptions.defaults().withTimeout(Duration.ofSeconds(10))
                    .withSession(SessionLockOptions.defaults().withDirectory(dir));
            LmtpConfig config = new LmtpConfig(List.of(Listen.parse("127.0.0.1:0")), dir + "/%u", null, Users.ANY, 1 << 20,
                    10, Duration.ofSeconds(60), Duration.ZERO, dir, "full.example", store);
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            LmtpServer server = LmtpServer.start(config, new PrintStream(log, true, StandardCharsets.UTF_8));
            List<String> acknowledged = new ArrayList<>();
            String refusal = null;
            try (LmtpClient c = new LmtpClient(new InetSocketAddress("127.0.0.1",
                    ((InetSocketAddress) server.boundAddress(0)).getPort()))) {
                LmtpClient.expect("220", c.reply());
                LmtpClient.expect("250", c.command("LHLO it"));
                for (int i = 0; i < 40 && refusal == null; i++) {
                    String text = "Message-ID: <" + i + "@full>\n\n" + ("message " + i + " filler line\n").repeat(700);
                    String r = c.transaction("s@x", List.of("alice@x"), text).get(0);
                    if (r.startsWith("250")) {
                        acknowledged.add(text);
                    } else {
                        refusal = r;
                    }
                }
            } finally {
                server.stop(Duration.ofSeconds(10));
            }
            assertTrue(refusal != null && refusal.startsWith("452 4.2.2 <alice@x> no space: "),
                    "the disk filled: " + refusal + "\n" + log);
            assertTrue(acknowledged.size() >= 2, "some went in first: " + acknowledged.size());
            try (Mailbox m = Drivers.open(MailboxRef.of(dir.resolve("alice")), false, store)) {
                List<String> got = new ArrayList<>();
                for (int n = 1; n <= m.index().count(); n++) {
                    got.add(new String(m.content(n), StandardCharsets.ISO_8859_1));
                }
                assertEquals(acknowledged, got, "exactly the acknowledged messages, whole");
            }
        });
    }
}

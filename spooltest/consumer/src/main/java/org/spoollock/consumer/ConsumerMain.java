package org.spoollock.consumer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.spoollock.examples.DeliveryAgent;

/**
 * {@code ConsumerMain DIR}: delivers two messages with the guide's delivery agent, appends one through
 * Jakarta Mail (the spoollock provider, found on the class path), and reads the three back through
 * Jakarta Mail. Prints "consumer ok 3" and exits 0 when everything is there.
 */
public final class ConsumerMain {
    private ConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path box = dir.resolve("inbox");
        DeliveryAgent agent = new DeliveryAgent();
        for (int i = 1; i <= 2; i++) {
            agent.deliver(box, ("Subject: agent " + i + "\n\nfrom the guide's delivery agent\n").getBytes(StandardCharsets.US_ASCII),
                    "sender@example.org");
        }
        Properties p = new Properties();
        p.setProperty("mail.mbox.sessiondir", dir.toString());
        Session session = Session.getInstance(p);
        Folder inbox = session.getFolder(new URLName("mbox:" + box));
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("consumer@example.org"));
        m.setSubject("jakarta");
        m.setText("from a Jakarta Mail program\n");
        m.saveChanges();
        inbox.appendMessages(new Message[] {m});
        inbox.open(Folder.READ_ONLY);
        List<String> subjects = new java.util.ArrayList<>();
        for (Message msg : inbox.getMessages()) {
            subjects.add(msg.getSubject());
        }
        inbox.close(false);
        if (!subjects.equals(List.of("agent 1", "agent 2", "jakarta"))) {
            System.err.println("consumer: unexpected subjects " + subjects + " in " + Files.size(box) + " bytes");
            System.exit(1);
        }
        System.out.println("consumer ok " + subjects.size());
    }
}

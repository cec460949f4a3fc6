package org.spoollock.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Properties;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.search.AndTerm;
import jakarta.mail.search.BodyTerm;
import jakarta.mail.search.ComparisonTerm;
import jakarta.mail.search.FlagTerm;
import jakarta.mail.search.FromStringTerm;
import jakarta.mail.search.FromTerm;
import jakarta.mail.search.HeaderTerm;
import jakarta.mail.search.MessageIDTerm;
import jakarta.mail.search.MessageNumberTerm;
import jakarta.mail.search.NotTerm;
import jakarta.mail.search.OrTerm;
import jakarta.mail.search.ReceivedDateTerm;
import jakarta.mail.search.RecipientStringTerm;
import jakarta.mail.search.RecipientTerm;
import jakarta.mail.search.SearchTerm;
import jakarta.mail.search.SentDateTerm;
import jakarta.mail.search.SizeTerm;
import jakarta.mail.search.SubjectTerm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 part 3: Folder.search with header terms reads raw headers (HeaderView) and must answer exactly as
 * matching the folder's own messages would: a differential test over awkward headers (encoded words,
 * folding, 8-bit bytes, duplicates, a space before the colon, bad addresses and dates), under the session
 * settings that change how MimeMessage reads them.
 */
class SearchTest {
    @TempDir
    Path dir;

    private static final String[] MESSAGES = {
        "Subject: hello world\nFrom: Alice Example <alice@example.org>\nTo: carol@example.org, Dave <dave@example.org>\n"
            + "Message-ID: <1@x>\nDate: Thu, 03 Dec 2026 08:00:00 +0000\nX-Mailer: mutt 2.0\n\nsecret body\n",
        "Subject: =?UTF-8?B?aMOpbGxvIMOpdMOp?=\nFrom: =?ISO-8859-1?Q?J=F6rg?= <joerg@example.de>\nCc: dave@example.org\n"
            + "Message-ID: <2@x>\nDate: Wed, 2 Dec 2026 10:00:00 -0500\n\nplain\n",
        "Subject: a folded\n subject line\n\tcontinued\nFrom: bob@example.org\nTo: undisclosed-recipients:;\n"
            + "Message-ID: <3@x>\nMessage-ID: <3b@x>\nDate: not a date at all\n\nbody\n",
        "Subject : space before the colon\nfrom: BOB@EXAMPLE.ORG\nMessage-id: <4@X>\n\nsecret\n",
        "Subject: 8-bit \u00c3\u00a9t\u00c3\u00a9 raw utf-8 and \u00e9 latin-1\nFrom: \"Smith, John\" <john@example.org>\n"
            + "To: a@b.c (comment), <weird@[127.0.0.1]>\nDate: 1 Jan 2000 00:00:00 GMT\n\n\u00e9\n",
        "From: not an address @@ at all <>\nTo: broken <@>\nSubject: hello again\nSubject: a second subject\n\nx\n",
        "X-Mailer: MUTT\nSubject: =?utf-8?q?caf=C3=A9?= =?utf-8?q?_ol=C3=A9?=\nReply-To: alice@example.org\n\n"
            + "a body long enough to be larger than the others " + "filler ".repeat(100) + "\n",
        "No-Colon-Line\nSubject: after a line without colon\nFrom: alice@example.org\n\nend\n",
    };

    private Folder folder(Properties p) throws Exception {
        Path box = dir.resolve("search");
        if (!Files.exists(box)) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int i = 0; i < MESSAGES.length; i++) {
                b.write(("From sender@example.org Thu Dec  " + (i + 1) + " 08:00:00 2026\n").getBytes(StandardCharsets.US_ASCII));
                b.write(MESSAGES[i].getBytes(StandardCharsets.ISO_8859_1));
                b.write('\n');
            }
            Files.write(box, b.toByteArray());
            p.setProperty("mail.mbox.sessiondir", dir.toString());
            Folder f = Session.getInstance(p).getFolder(new URLName("mbox:" + box));
            f.open(Folder.READ_WRITE);
            f.setFlags(new int[] {1, 4, 7}, new Flags(Flags.Flag.SEEN), true);
            f.setFlags(new int[] {2, 4}, new Flags(Flags.Flag.FLAGGED), true);
            f.close(false);
        }
        p.setProperty("mail.mbox.sessiondir", dir.toString());
        Folder f = Session.getInstance(p).getFolder(new URLName("mbox:" + box));
        f.open(Folder.READ_ONLY);
        return f;
    }

    private static List<SearchTerm> terms() throws Exception {
        Date dec3 = new Date(1796284800000L); // 2026-12-03T08:00:00Z
        List<SearchTerm> t = new ArrayList<>(List.of(
                new SubjectTerm("hello"), new SubjectTerm("HÉLLO"), new SubjectTerm("été"), new SubjectTerm("café olé"),
                new SubjectTerm("subject line"), new SubjectTerm("line\r\n\tcontinued"), new SubjectTerm("space before"),
                new SubjectTerm("\u00c3\u00a9t"), new SubjectTerm("second subject"), new SubjectTerm(""),
                new FromStringTerm("alice"), new FromStringTerm("Jörg"), new FromStringTerm("bob@example.org"),
                new FromStringTerm("Smith, John"), new FromStringTerm("at all"),
                new FromTerm(new InternetAddress("bob@example.org")), new FromTerm(new InternetAddress("alice@example.org")),
                new RecipientStringTerm(Message.RecipientType.TO, "carol"),
                new RecipientStringTerm(Message.RecipientType.CC, "dave"),
                new RecipientStringTerm(Message.RecipientType.TO, "127.0.0.1"),
                new RecipientTerm(Message.RecipientType.TO, new InternetAddress("dave@example.org")),
                new HeaderTerm("X-Mailer", "mutt"), new HeaderTerm("x-mailer", "MUTT 2"), new HeaderTerm("Subject", "fold"),
                new HeaderTerm("No-Colon-Line", "colon"), new HeaderTerm("Reply-To", "alice"),
                new MessageIDTerm("<1@x>"), new MessageIDTerm("<3b@x>"), new MessageIDTerm("<4@x>"),
                new SentDateTerm(ComparisonTerm.GT, new Date(1796200000000L)), new SentDateTerm(ComparisonTerm.LE, dec3),
                new SentDateTerm(ComparisonTerm.EQ, dec3), new ReceivedDateTerm(ComparisonTerm.GE, new Date(1796500000000L)),
                new FlagTerm(new Flags(Flags.Flag.SEEN), true), new FlagTerm(new Flags(Flags.Flag.FLAGGED), false),
                new SizeTerm(ComparisonTerm.GT, 300), new MessageNumberTerm(3),
                new BodyTerm("secret")));
        t.add(new AndTerm(new SubjectTerm("hello"), new NotTerm(new FlagTerm(new Flags(Flags.Flag.SEEN), true))));
        t.add(new OrTerm(new FromStringTerm("alice"), new RecipientStringTerm(Message.RecipientType.CC, "dave")));
        t.add(new AndTerm(new FromStringTerm("alice"), new BodyTerm("end")));
        return t;
    }

    private static List<Integer> numbers(Message[] ms) {
        return Arrays.stream(ms).map(Message::getMessageNumber).toList();
    }

    @Test
    void headerSearchesAnswerAsTheMessagesThemselves() throws Exception {
        int found = 0;
        for (String[] setting : List.of(new String[0], new String[] {"mail.mime.allowutf8", "true"},
                new String[] {"mail.mime.address.strict", "false"})) {
            Properties p = new Properties();
            if (setting.length == 2) {
                p.setProperty(setting[0], setting[1]);
            }
            Folder f = folder(p);
            for (SearchTerm term : terms()) {
                List<Integer> brute = new ArrayList<>();
                for (Message m : f.getMessages()) {
                    if (term.match(m)) {
                        brute.add(m.getMessageNumber());
                    }
                }
                Folder fresh = folder(p); // no message made yet: the raw-header path
                assertEquals(brute, numbers(fresh.search(term)), term.getClass().getSimpleName() + " " + Arrays.toString(setting));
                assertEquals(brute, numbers(f.search(term)), "with the messages made");
                fresh.close(false);
                found += brute.size();
            }
            f.close(false);
        }
        assertTrue(found > 60, "the terms find things: " + found);
    }

    @Test
    void aSearchOfSomeMessagesLooksAtThoseOnly() throws Exception {
        Folder f = folder(new Properties());
        Message[] some = {f.getMessage(2), f.getMessage(3), f.getMessage(6)};
        assertEquals(List.of(6), numbers(f.search(new SubjectTerm("hello"), some)));
        assertTrue(HeaderView.canAnswer(new SubjectTerm("x")));
        assertTrue(!HeaderView.canAnswer(new BodyTerm("x")));
        f.close(false);
    }
}

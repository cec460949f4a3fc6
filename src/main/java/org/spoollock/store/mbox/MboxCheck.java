package org.spoollock.store.mbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.posix.ChannelIo;
import org.spoollock.store.journal.Journal;

/**
 * Validates an mbox for the readers that share it: problems (damage, or things on which c-client
 * and other readers would disagree) and notes (legal but worth knowing). Reads only.
 */
public final class MboxCheck {
    public final List<String> problems = new ArrayList<>();
    public final List<String> notes = new ArrayList<>();
    public int messages;

    private MboxCheck() {
    }

    /** Checks the mailbox open on {@code ch} (the caller holds a shared lock). */
    public static MboxCheck run(FileChannel ch, Path name) throws IOException {
        return run(ch, name, Framing.UNIX);
    }

    /** Checks a file of {@code framing} (mbox or mmdf) open on {@code ch}. */
    public static MboxCheck run(FileChannel ch, Path name, Framing framing) throws IOException {
        MboxCheck c = new MboxCheck();
        if (Files.exists(Journal.pathFor(name)) || Files.exists(Journal.appendIntentFor(name))) {
            c.problems.add("an interrupted spoollock write is pending recovery (" + Journal.pathFor(name).getFileName()
                    + " or " + Journal.appendIntentFor(name).getFileName() + "); any spoollock command that opens the"
                    + " mailbox finishes it");
        }
        MboxIndex index;
        try {
            index = MboxIndex.scan(ch, name, framing);
        } catch (MboxIndex.NotAnMboxException e) {
            c.problems.add(e.getMessage());
            return c;
        }
        c.messages = index.count();
        for (String w : index.warnings()) {
            c.problems.add("c-client would warn: " + w);
        }
        long size = ChannelIo.size(ch, name.toString());
        c.scanLines(ch, size, framing);
        if (framing == Framing.MMDF && index.count() > 0 && !c.endsWithDelimiter(ch, size, name)) {
            c.problems.add("the last message has no ^A^A^A^A line after it (offset " + size + "): it may be truncated");
        }
        return c;
    }

    private boolean endsWithDelimiter(FileChannel ch, long size, Path name) throws IOException {
        return size >= 5 && Framing.isDelimiter(ChannelIo.read(ch, size - 5, 5, name.toString()), 0, 5);
    }

    private void scanLines(FileChannel ch, long size, Framing framing) throws IOException {
        LineReader in = new LineReader(ch, 0, size);
        long nulLines = 0;
        long firstNul = -1;
        long crlf = 0;
        long looseFrom = 0;
        long firstLoose = -1;
        long intoDelimiter = 0;
        long firstInto = -1;
        long offset = 0;
        Line last = null;
        boolean lastHadNewline = true;
        Line line;
        while ((line = in.next()) != null) {
            for (int i = line.start; i < line.end; i++) {
                if (line.buf[i] == 0) {
                    if (firstNul < 0) {
                        firstNul = offset + (i - line.start);
                    }
                    nulLines++;
                    break;
                }
            }
            if (line.crs > 0 && line.endsWithNewline() && line.end - line.start >= 2 && line.buf[line.end - 2] == '\r') {
                crlf++;
            }
            if (framing == Framing.UNIX && line.startsWith("From ") && !FromLine.isValid(line.buf, line.start, line.end)) {
                looseFrom++;
                if (firstLoose < 0) {
                    firstLoose = offset;
                }
            }
            if (framing == Framing.MMDF && line.length == line.end - line.start
                    && Framing.endsWithDelimiter(line.buf, line.start, line.end)) {
                intoDelimiter++;
                if (firstInto < 0) {
                    firstInto = offset;
                }
            }
            lastHadNewline = line.endsWithNewline();
            offset += line.length;
            last = line;
        }
        if (firstNul >= 0) {
            problems.add(nulLines + " line(s) contain NUL bytes, the first at offset " + firstNul
                    + " (c-client writes NUL as 0x80; NULs usually mean a crash during an unjournalled rewrite)");
        }
        if (last != null && !lastHadNewline) {
            problems.add("the file does not end with a newline (offset " + size + "): the last message may be truncated");
        }
        if (intoDelimiter > 0) {
            problems.add(intoDelimiter + " line(s) run into the ^A^A^A^A line without a newline before it (a message"
                    + " whose last line has no newline), the first at offset " + firstInto + ": c-client's mmdf reader"
                    + " miscounts what follows such a line (its size and where the next message starts); spoollock reads"
                    + " the line and the delimiter as two lines");
        }
        if (crlf > 0) {
            notes.add(crlf + " line(s) end with CRLF (c-client counts them as one line end and drops the CR when it"
                    + " rewrites a message)");
        }
        if (looseFrom > 0) {
            notes.add(looseFrom + " line(s) start with \"From \" but are not From_ lines c-client accepts (first at offset "
                    + firstLoose + "): c-client keeps them in their message, readers that split on every \"From \" line"
                    + " (Python's mailbox, mutt) see more messages");
        }
    }
}

package org.spoollock.lock;

import java.io.IOException;

/** A lock could not be taken or kept. Subclasses say why. */
public class LockException extends IOException {
    private static final long serialVersionUID = 1L;

    public LockException(String message) {
        super(message);
    }

    public LockException(String message, Throwable cause) {
        super(message, cause);
    }
}

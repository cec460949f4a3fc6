package org.spoollock.lock;

/** The lock stayed held by someone else until the deadline; names the holder as far as it is known. */
public class LockTimeoutException extends LockException {
    private static final long serialVersionUID = 1L;
    private final transient DotLockStatus holderStatus;

    public LockTimeoutException(String message, DotLockStatus holderStatus) {
        super(message);
        this.holderStatus = holderStatus;
    }

    /** What the lock file said when we gave up; null when it was gone by then or not a dot-lock. */
    public DotLockStatus holderStatus() {
        return holderStatus;
    }
}

/**
 * A FIFO async lock. Taken at once when free (`tryLock`, no promise); otherwise each waiter is
 * handed the lock in turn. A waiter that waits longer than `timeoutMs` gets an error instead of
 * waiting forever (a store call awaited inside a transaction it waits for would never end).
 */
export class Mutex {
  private held = false;
  private readonly waiters: { grant: () => void }[] = [];

  get locked(): boolean {
    return this.held;
  }

  tryLock(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  lock(timeoutMs: number, what: () => string): Promise<void> {
    if (this.tryLock()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(what()));
      }, timeoutMs);
      timer.unref();
      this.waiters.push(waiter);
    });
  }

  unlock(): void {
    const next = this.waiters.shift();
    // Handed over: the lock stays held by the next waiter.
    if (next) next.grant();
    else this.held = false;
  }
}

/** An entry of the sink's buffer: one `create` action and its document, ready to send. */
export interface BufferedDoc {
  /** Write order; the queue is kept sorted by it so "oldest" is well defined. */
  readonly seq: number;
  /** When `write` took it, epoch ms (the sink's clock). */
  readonly writtenMs: number;
  readonly index: string;
  readonly id: string;
  /** `{"create":{...}}\n{...doc...}` without the final newline (the client's NDJSON serializer adds it). */
  readonly line: string;
  /** Size of `line` in UTF-16 code units: a cheap stand-in for bytes when sizing a batch. */
  readonly bytes: number;
  /** Item-level retryable failures so far (5xx; 429 is back-pressure and not counted). */
  attempts: number;
}

/**
 * A FIFO of buffered documents ordered by `seq`, with O(1) amortised push/shift, and a
 * `prepend` that puts failed batches back in order (merging when two batches failed out of
 * order). Not a general-purpose structure: only what the sink needs.
 */
export class SeqQueue {
  private _items: (BufferedDoc | undefined)[] = [];
  private _head = 0;
  private _bytes = 0;

  get length(): number {
    return this._items.length - this._head;
  }

  /** Sum of `bytes` of the entries held. */
  get bytes(): number {
    return this._bytes;
  }

  push(entry: BufferedDoc): void {
    this._items.push(entry);
    this._bytes += entry.bytes;
  }

  peek(): BufferedDoc | undefined {
    return this._items[this._head];
  }

  shift(): BufferedDoc | undefined {
    if (this._head >= this._items.length) return undefined;
    const entry = this._items[this._head];
    this._items[this._head] = undefined;
    this._head += 1;
    if (entry !== undefined) this._bytes -= entry.bytes;
    if (this._head >= 4096 && this._head * 2 >= this._items.length) {
      this._items = this._items.slice(this._head);
      this._head = 0;
    }
    return entry;
  }

  /** Puts entries (sorted by `seq`) back so the whole queue stays sorted by `seq`. */
  prepend(entries: readonly BufferedDoc[]): void {
    if (entries.length === 0) return;
    for (const e of entries) this._bytes += e.bytes;
    const first = this.peek();
    const last = entries[entries.length - 1];
    if (first === undefined || (last !== undefined && last.seq < first.seq)) {
      if (this._head >= entries.length) {
        this._head -= entries.length;
        for (let i = 0; i < entries.length; i++) this._items[this._head + i] = entries[i];
      } else {
        this._items = [...entries, ...this._items.slice(this._head)];
        this._head = 0;
      }
      return;
    }
    const rest = this._items.slice(this._head) as BufferedDoc[];
    const merged: BufferedDoc[] = [];
    let i = 0;
    let j = 0;
    while (i < entries.length || j < rest.length) {
      const a = entries[i];
      const b = rest[j];
      if (b === undefined || (a !== undefined && a.seq < b.seq)) {
        merged.push(a as BufferedDoc);
        i += 1;
      } else {
        merged.push(b);
        j += 1;
      }
    }
    this._items = merged;
    this._head = 0;
  }

  clear(): void {
    this._items = [];
    this._head = 0;
    this._bytes = 0;
  }
}
